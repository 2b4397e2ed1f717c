//! The only writer of `index/`: schema (the one place field names are spelled), tokenizers
//! (the only code that names jieba) and the traditional → simplified folding they apply
//! (`fold`), the directory layout (generations, atomic switch, write lock), the manifest kept
//! with each commit, the stored documents (`stored` records in zhili's own `documents`
//! files), the check that a generation is whole (`integrity`), the writer, and the read-only
//! opening used by searches (`search_dir`).

mod codec;
pub mod documents;
pub mod fold;
mod integrity;
pub mod layout;
pub mod manifest;
pub mod schema;
pub mod search_dir;
pub mod stored;
pub mod tokenizer;
pub mod writer;

pub use layout::{FileStamp, IndexDir, LastIngest};
pub use manifest::Manifest;
pub use schema::Fields;
pub use search_dir::open_index_for_search;
pub use writer::{IndexUpdate, build_index, open_index};
