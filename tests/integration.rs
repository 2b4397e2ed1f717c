//! The one integration-test binary: one module per stage, fixtures under tests/fixtures/.

mod common;
mod ingest_stage;
mod tag_stage;
mod server_stage;
mod crawl_stage;
mod cli_stage;
