//! `dateline tag` and `dateline eval-entities`.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use dateline::entities::eval::{
    evaluate, evaluate_chars, is_char_level, read_char_level, read_conll, read_factrueval,
};
use dateline::entities::{Kind, Tagger};
use serde_json::json;

use super::output::finish_output;

fn label(kind: Kind) -> &'static str {
    match kind {
        Kind::Person => "PER",
        Kind::Place => "LOC",
        Kind::Org => "ORG",
    }
}

/// Tags JSON Lines `{"id","text"}` (or plain text) from files or stdin; prints one line of spans
/// per input, offsets in characters.
pub fn tag(paths: &[PathBuf], corrections: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let mut input = String::new();
    if paths.is_empty() {
        io::stdin()
            .read_to_string(&mut input)
            .context("reading standard input")?;
    } else {
        for path in paths {
            input.push_str(
                &std::fs::read_to_string(path)
                    .with_context(|| format!("reading `{}`", path.display()))?,
            );
            input.push('\n');
        }
    }
    let tagger = Tagger::with_corrections(corrections)?;
    let mut out = io::stdout().lock();
    let mut print = |id: serde_json::Value, text: &str, language: Option<&str>| -> io::Result<()> {
        let chars: Vec<char> = text.chars().collect();
        // The statistical model is for English: other languages get the gazetteer alone.
        let language = language
            .map(str::to_string)
            .or_else(|| dateline::analysis::detect_language("", text))
            .unwrap_or_else(|| "en".to_string());
        let spans: Vec<serde_json::Value> = tagger
            .tag_in(text, Some(&language), true)
            .into_iter()
            .map(|m| {
                json!({
                    "start": m.start,
                    "end": m.end,
                    "label": label(m.kind),
                    "text": chars[m.start..m.end].iter().collect::<String>(),
                    "entity": m.entity,
                })
            })
            .collect();
        writeln!(out, "{}", json!({"id": id, "spans": spans}))
    };
    let printed = if input.trim_start().starts_with('{') {
        let mut result = Ok(());
        for (number, line) in input.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("line {}: not a JSON object", number + 1))?;
            let text = record["text"]
                .as_str()
                .with_context(|| format!("line {}: needs a string `text`", number + 1))?;
            result = print(record["id"].clone(), text, record["language"].as_str());
            if result.is_err() {
                break;
            }
        }
        result
    } else {
        print(serde_json::Value::Null, &input, None)
    };
    finish_output(printed)
}

/// Scores the tagger on CoNLL-style gold files.
pub fn eval(paths: &[PathBuf]) -> anyhow::Result<i32> {
    let tagger = Tagger::builtin();
    let mut out = io::stdout().lock();
    for path in paths {
        let (result, count, unit) = if path.is_dir() {
            // factRuEval-2016: Russian news documents; the gazetteer alone.
            let docs = read_factrueval(path)
                .with_context(|| format!("reading factRuEval files in `{}`", path.display()))?;
            if docs.is_empty() {
                anyhow::bail!(
                    "`{}` holds no factRuEval `.objects` files: give a CoNLL file, a KLUE file or a factRuEval directory",
                    path.display()
                );
            }
            (evaluate_chars(tagger, &docs, "ru"), docs.len(), "documents")
        } else {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading `{}`", path.display()))?;
            let (result, count) = if is_char_level(&text) {
                // KLUE: Korean, character-level; the gazetteer alone (the model is English).
                let sentences = read_char_level(&text);
                (evaluate_chars(tagger, &sentences, "ko"), sentences.len())
            } else {
                let sentences = read_conll(&text);
                (evaluate(tagger, &sentences), sentences.len())
            };
            (result, count, "sentences")
        };
        writeln!(
            out,
            "{} ({count} {unit}, {} tokens)",
            path.display(),
            result.tokens
        )?;
        writeln!(out, "  type  precision  recall     F1   (tp / fp / fn)")?;
        for (kind, counts) in result
            .by_kind
            .iter()
            .map(|(k, c)| (label(*k), *c))
            .chain([("ALL", result.overall())])
        {
            let (p, r, f) = counts.prf();
            writeln!(
                out,
                "  {kind:<4}  {p:>9.3}  {r:>6.3}  {f:>5.3}   ({} / {} / {})",
                counts.true_positives, counts.false_positives, counts.false_negatives
            )?;
        }
        writeln!(
            out,
            "  speed: {:.0} tokens/s on one core",
            result.tokens as f64 / result.elapsed.as_secs_f64().max(1e-9)
        )?;
    }
    Ok(0)
}

/// Trains the perceptron and writes the model.
pub fn train(paths: &[PathBuf], epochs: usize, out: &std::path::Path) -> anyhow::Result<i32> {
    use dateline::entities::eval::read_conll_tags;
    use dateline::entities::perceptron::{Model, tag_indices};
    let mut sentences = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading `{}`", path.display()))?;
        for (tokens, tags) in read_conll_tags(&text) {
            let tags = tag_indices(&tags);
            sentences.push((tokens, tags));
        }
    }
    let tokens: usize = sentences.iter().map(|(t, _)| t.len()).sum();
    let started = std::time::Instant::now();
    let model = Model::train(&sentences, epochs);
    let bytes = model.save();
    std::fs::write(out, &bytes).with_context(|| format!("writing `{}`", out.display()))?;
    eprintln!(
        "trained on {} sentences ({} tokens), {epochs} epochs, in {:.1} s: {} features, {} KB in `{}`",
        sentences.len(),
        tokens,
        started.elapsed().as_secs_f64(),
        model.len(),
        bytes.len() / 1024,
        out.display()
    );
    Ok(0)
}
