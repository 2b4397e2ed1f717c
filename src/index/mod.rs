//! The only writer of `index/`: schema (the one place field names are spelled), tokenizers
//! (the only code that names jieba), the directory layout (generations, atomic switch, write
//! lock), the manifest kept with each commit, and the writer.

pub mod docstore;
pub mod layout;
pub mod manifest;
pub mod schema;
pub mod stored;
pub mod tokenizer;
pub mod writer;

pub use layout::IndexDir;
pub use manifest::Manifest;
pub use schema::Fields;
pub use writer::{IndexUpdate, build_index, open_index};
