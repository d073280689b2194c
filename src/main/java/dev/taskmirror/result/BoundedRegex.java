package dev.taskmirror.result;

import java.util.regex.Pattern;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;

/**
 * JDK regular expressions for schema {@code pattern}/{@code patternProperties} with a time budget per
 * validation. Schemas come from task documents and validation runs inside a database transaction, so a
 * catastrophically backtracking pattern must not hold the thread: the matched text is read through a
 * {@link CharSequence} that gives up once the budget set by {@link #withBudget} is spent.
 */
final class BoundedRegex implements RegularExpressionFactory {

    static final BoundedRegex FACTORY = new BoundedRegex();

    /** Thrown from inside a match when the validation's budget is spent. */
    static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super("regular expression time budget exceeded", null, false, false);
        }
    }

    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    private BoundedRegex() {
    }

    /** Runs {@code body} with a regex budget of {@code millis} for everything it matches. */
    static <T> T withBudget(long millis, java.util.function.Supplier<T> body) {
        DEADLINE.set(System.nanoTime() + millis * 1_000_000);
        try {
            return body.get();
        } finally {
            DEADLINE.remove();
        }
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        // The same ECMA-262 adjustments as the library's JDK implementation.
        Pattern pattern = Pattern.compile(
                RegularExpressions.replaceLongformCharacterProperties(RegularExpressions.replaceDollarAnchors(regex)));
        return value -> {
            Long deadline = DEADLINE.get();
            return pattern.matcher(deadline == null ? value : new Deadlined(value, deadline)).find();
        };
    }

    /** A string that refuses to be read past a deadline (checked every 4096 reads: nanoTime is not free). */
    private static final class Deadlined implements CharSequence {
        private final CharSequence text;
        private final long deadline;
        private int reads;

        Deadlined(CharSequence text, long deadline) {
            this.text = text;
            this.deadline = deadline;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 0xFFF) == 0 && System.nanoTime() > deadline) {
                throw new BudgetExceeded();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Deadlined(text.subSequence(start, end), deadline);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
