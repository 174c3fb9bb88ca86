package app;

class Builder {
    Builder add(int x) { return this; }
    int build() { return 1; }
}

public class Main {
    static Builder builder() { return new Builder(); }

    int run() {
        return builder().add(1).build();
    }
}
