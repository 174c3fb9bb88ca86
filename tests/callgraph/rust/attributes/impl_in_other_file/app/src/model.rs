pub struct Model {
    pub w: u32,
}
