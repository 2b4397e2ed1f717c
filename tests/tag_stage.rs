//! Integration tests: tag.
