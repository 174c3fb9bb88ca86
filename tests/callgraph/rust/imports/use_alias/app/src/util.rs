pub fn parse(s: &str) -> u32 {
    s.len() as u32
}
