package org.leno.internal.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Which classes a confusion matrix too big to read shows: those of its largest cells off the
 * diagonal, in the order they first appear there, up to a limit. Shared by confusion.png and the
 * report page, so that both show the same classes.
 */
public final class TopConfusions {
    private TopConfusions() {
    }

    /** A cell off the diagonal: row {@code actual}, column {@code predicted} of a square matrix, with its count. */
    public record Cell(int actual, int predicted, long count) {}

    /** The non-empty cells off the diagonal of the square {@code counts}, largest first (ties: by row, then column). */
    public static List<Cell> cells(long[][] counts) {
        List<Cell> all = new ArrayList<>();
        for (int a = 0; a < counts.length; a++) {
            for (int p = 0; p < counts.length; p++) {
                if (a != p && counts[a][p] > 0) {
                    all.add(new Cell(a, p, counts[a][p]));
                }
            }
        }
        all.sort(Comparator.comparingLong((Cell c) -> -c.count()).thenComparingInt(Cell::actual).thenComparingInt(Cell::predicted));
        return all;
    }

    /**
     * Every row of {@code counts} when there are at most {@code max}; else the rows of the largest
     * confusions, up to {@code max} (the first {@code max} rows when nothing is confused).
     */
    public static List<Integer> classes(long[][] counts, int max) {
        if (counts.length <= max) {
            return IntStream.range(0, counts.length).boxed().toList();
        }
        Set<Integer> shown = new LinkedHashSet<>();
        for (Cell c : cells(counts)) {
            int added = (shown.contains(c.actual()) ? 0 : 1) + (shown.contains(c.predicted()) ? 0 : 1);
            if (shown.size() + added > max) {
                break;
            }
            shown.add(c.actual());
            shown.add(c.predicted());
        }
        return shown.isEmpty() ? IntStream.range(0, max).boxed().toList() : List.copyOf(shown);
    }
}
