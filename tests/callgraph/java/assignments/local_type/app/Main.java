package app;

import java.util.List;

class Parser {
    List<String> parse(String s) { return List.of(s); }
}

public class Main {
    static Parser make() { return new Parser(); }

    int count(String s) {
        var p = make();
        Parser q = new Parser();
        return p.parse(s).size() + q.parse(s).size();
    }
}
