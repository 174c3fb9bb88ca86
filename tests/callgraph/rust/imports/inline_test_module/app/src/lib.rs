mod helpers {
    pub fn setup() -> u32 {
        7
    }
}

pub fn compute(x: u32) -> u32 {
    x + 1
}

#[cfg(test)]
mod tests {
    use super::helpers::setup;
    use super::*;

    #[test]
    fn computes() {
        assert_eq!(compute(setup()), 8);
    }
}
