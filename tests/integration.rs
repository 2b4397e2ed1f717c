//! The one integration-test binary: one module per stage, fixtures under tests/fixtures/.

mod cli_stage;
mod common;
mod crawl_stage;
mod fuzz_stage;
mod ingest_stage;
mod query_stage;
mod relevance_stage;
mod robust_stage;
mod scaleout_stage;
mod search_stage;
mod server_stage;
mod tag_stage;
