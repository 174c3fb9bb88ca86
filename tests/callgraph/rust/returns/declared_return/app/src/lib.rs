pub struct Handler {
    id: u32,
}

impl Handler {
    pub fn run(&self) -> u32 {
        self.id
    }
}

pub fn make() -> Handler {
    Handler { id: 1 }
}

pub fn direct() -> u32 {
    make().run()
}

pub fn through_local() -> u32 {
    let h = make();
    h.run()
}
