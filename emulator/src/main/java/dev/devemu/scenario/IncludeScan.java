package dev.devemu.scenario;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Finds the {@code include} statements of HOCON text without parsing it, with the line and the object they sit
 * in. Typesafe Config tells an includer what is included but not where, so the loader uses this to name the line
 * and key of an include it refuses (network text) or cannot follow (a missing file, a cycle). Strings and comments
 * are skipped as HOCON defines them, so {@code description = "include file(x)"} is not an include.
 */
final class IncludeScan {
  /**
   * One include statement.
   *
   * @param line 1-based line of the word {@code include}
   * @param key the path of the object it is in ({@code ""} at the top, {@code machine}, {@code devices[0]})
   * @param statement the statement as written, e.g. {@code include file("/etc/passwd")}
   */
  record Include(int line, String key, String statement) {}

  private IncludeScan() {}

  private static final class Frame {
    final String path;
    final boolean list;
    int elements;

    Frame(String path, boolean list) {
      this.path = path;
      this.list = list;
    }
  }

  static List<Include> scan(String text) {
    List<Include> out = new ArrayList<>();
    Deque<Frame> frames = new ArrayDeque<>();
    frames.push(new Frame("", false));
    int line = 1;
    boolean fieldStart = true; // at the start of a field of an object: a key or an include may come
    String pendingKey = null; // the key whose value comes next
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        i++;
        if (!frames.peek().list) fieldStart = true;
        continue;
      }
      if (Character.isWhitespace(c) || c == '\uFEFF') {
        i++;
        continue;
      }
      if (c == '#' || (c == '/' && i + 1 < n && text.charAt(i + 1) == '/')) {
        while (i < n && text.charAt(i) != '\n') i++;
        continue;
      }
      if (c == '"') {
        int start = i;
        if (text.startsWith("\"\"\"", i)) {
          int end = text.indexOf("\"\"\"", i + 3);
          end = end < 0 ? n : end + 3;
          while (end < n && text.charAt(end) == '"') end++; // HOCON: extra quotes belong to the string
          line += count(text, i, end);
          i = end;
        } else {
          i++;
          while (i < n && text.charAt(i) != '"' && text.charAt(i) != '\n') i += text.charAt(i) == '\\' ? 2 : 1;
          i = Math.min(n, i + 1);
        }
        if (fieldStart && !frames.peek().list) pendingKey = unquote(text.substring(start, Math.min(i, n)));
        fieldStart = false;
        continue;
      }
      if (c == '$' && i + 1 < n && text.charAt(i + 1) == '{') { // a substitution, not an object
        int end = text.indexOf('}', i);
        i = end < 0 ? n : end + 1;
        fieldStart = false;
        continue;
      }
      switch (c) {
        case '{' -> {
          Frame top = frames.peek();
          String path = top.list ? top.path + "[" + top.elements++ + "]" : join(top.path, pendingKey);
          frames.push(new Frame(path, false));
          fieldStart = true;
          pendingKey = null;
          i++;
          continue;
        }
        case '[' -> {
          Frame top = frames.peek();
          frames.push(new Frame(top.list ? top.path + "[" + top.elements++ + "]" : join(top.path, pendingKey), true));
          pendingKey = null;
          i++;
          continue;
        }
        case '}', ']' -> {
          if (frames.size() > 1) frames.pop();
          fieldStart = false;
          i++;
          continue;
        }
        case ',' -> {
          if (!frames.peek().list) fieldStart = true;
          i++;
          continue;
        }
        case '=', ':' -> {
          fieldStart = false;
          i++;
          continue;
        }
        default -> { }
      }
      // Unquoted text up to a character HOCON forbids in it.
      int start = i;
      while (i < n && "\n\"{}[],=:#+`^?!@*&\\".indexOf(text.charAt(i)) < 0 && !Character.isWhitespace(text.charAt(i))
          && !text.startsWith("//", i)) {
        i++;
      }
      if (i == start) { // a character only a parser can judge: leave it to Typesafe
        i++;
        continue;
      }
      String word = text.substring(start, i);
      if (fieldStart && !frames.peek().list && word.equals("include") && startsIncludedName(text, i)) {
        int end = text.indexOf('\n', i);
        out.add(new Include(line, frames.peek().path, text.substring(start, end < 0 ? n : end).strip()));
        fieldStart = false;
        continue;
      }
      if (fieldStart && !frames.peek().list) pendingKey = word;
      fieldStart = false;
    }
    return out;
  }

  /** After {@code include}: spaces, then a quoted name or {@code file(}, {@code url(}, {@code classpath(}, {@code required(}. */
  private static boolean startsIncludedName(String text, int i) {
    int j = i;
    while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) j++;
    if (j == i || j >= text.length()) return false;
    return text.charAt(j) == '"' || text.startsWith("file(", j) || text.startsWith("url(", j)
        || text.startsWith("classpath(", j) || text.startsWith("required(", j);
  }

  private static int count(String text, int from, int to) {
    int k = 0;
    for (int j = from; j < Math.min(to, text.length()); j++) if (text.charAt(j) == '\n') k++;
    return k;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  private static String join(String path, String key) {
    if (key == null || key.isEmpty()) return path;
    return path.isEmpty() ? key : path + "." + key;
  }
}
