package app;

class NotFound extends RuntimeException {
    NotFound(String what) { super(what); }
}

public class Main {
    String get(String k) {
        throw new NotFound(k);
    }
}
