//! HTTP around `search`: routes (one `configure` used by `serve` and the tests), the embedded
//! web page, and `error.rs`, the only place status codes appear.
