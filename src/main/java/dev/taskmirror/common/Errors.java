package dev.taskmirror.common;

/** The innermost cause of an exception, for one-line log and error messages. */
public final class Errors {

    private Errors() {
    }

    public static Throwable root(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** "SimpleClassName: message" of the innermost cause (no message part when it has none). */
    public static String describe(Throwable e) {
        Throwable root = root(e);
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
