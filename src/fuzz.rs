//! The private parsers, re-exported for the fuzz targets in `fuzz/` only: this
//! module exists when cargo fuzz builds with `--cfg fuzzing`, so the public API
//! of ordinary builds stays as small as before.

pub use crate::der::subject_public_key_info;
pub use crate::duration::{
    MAX as MAX_DURATION, display as display_duration, parse as parse_duration,
};
pub use crate::expand::expand;
pub use crate::status::ExpectStatus;
