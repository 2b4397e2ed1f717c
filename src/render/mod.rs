//! What people read, from what `search` answered: labels and citations (`label`), CSV and
//! Markdown tables (`table`), the export formats (`export`), Word documents (`docx`), the
//! Atom feed (`feed`) and terminal text (`terminal`). Pure: data in, bytes or text out; no
//! index, no HTTP. `label` depends only on the hand-off types, and `search` uses it for the
//! labels and citations inside its responses.

pub mod docx;
pub mod export;
pub mod feed;
pub mod label;
pub mod table;
pub mod terminal;
