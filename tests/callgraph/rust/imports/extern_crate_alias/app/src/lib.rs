extern crate base as base_crate;
mod base;

pub use base_crate::util;

pub fn from_crate() -> u32 {
    base_crate::util::one()
}

pub fn from_module() -> u32 {
    base::one()
}

pub fn reexported() -> u32 {
    util::one()
}
