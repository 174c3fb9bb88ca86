mod basic;
mod wide;

pub use self::basic::*;
pub use self::wide::twice;
