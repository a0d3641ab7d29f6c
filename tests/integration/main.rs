//! Integration tests: the real binary, a real index on disk, team-written fixtures.
//! One test binary, so the crate links once.

mod alerts;
mod api;
mod batch;
mod browser;
mod citation;
mod common;
mod compare;
mod demo;
mod entities;
mod formats;
mod hardening_ingest;
mod hardening_server;
mod index;
mod query_grammar;
mod query_language;
mod ranking;
mod saved;
mod search;
mod stories;
