pub trait Greeter {
    fn name(&self) -> String;

    fn greet(&self) -> String {
        format!("hello {}", self.name())
    }
}

pub struct English {
    formal: bool,
}

impl Greeter for English {
    fn name(&self) -> String {
        if self.formal { "sir".into() } else { "you".into() }
    }
}

pub fn welcome(e: &English) -> String {
    e.greet()
}

pub fn welcome_any(g: &dyn Greeter) -> String {
    g.greet()
}

pub fn named(e: &English) -> String {
    e.name()
}
