package app;

class Shape {
    Shape(String name) {}
    String describe() { return "shape"; }
}

class Square extends Shape {
    Square() { super("square"); }
    @Override
    String describe() { return "[" + super.describe() + "]"; }
    String both() { return describe(); }
}
