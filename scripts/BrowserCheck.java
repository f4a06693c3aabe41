import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Checks what scripts/browser_check.sh got from headless Chromium: the DOM of a leno report page
 * after rendering (its #leno-status block, written by the page itself) and a screenshot.
 * Run with the JDK alone: java scripts/BrowserCheck.java DOM.html SCREENSHOT.png
 */
public final class BrowserCheck {
    public static void main(String[] args) throws Exception {
        String dom = Files.readString(Path.of(args[0]));
        List<String> failures = new ArrayList<>();
        Matcher m = Pattern.compile("<pre id=\"leno-status\"[^>]*>(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        String status = m.find() ? unescape(m.group(1)) : "";
        List<String> lines = status.lines().toList();
        if (!lines.contains("done")) {
            failures.add("the page did not finish rendering (no 'done' in #leno-status): " + status.strip());
        }
        Set<String> chartIds = new HashSet<>();
        Matcher div = Pattern.compile("<div class=\"chart[^\"]*\" id=\"chart-([^\"]+)\"").matcher(dom);
        while (div.find()) {
            chartIds.add(div.group(1));
        }
        if (chartIds.isEmpty()) {
            failures.add("no chart elements in the page");
        }
        Pattern chartLine = Pattern.compile("chart (\\S+) instance=(\\d) size=(\\d+)x(\\d+) painted=(\\d+) series=(\\d+)");
        Set<String> rendered = new HashSet<>();
        List<String> downloads = new ArrayList<>();
        int tooltips = 0;
        for (String line : lines) {
            Matcher c = chartLine.matcher(line);
            if (c.matches()) {
                long area = Long.parseLong(c.group(3)) * Long.parseLong(c.group(4));
                long painted = Long.parseLong(c.group(5));
                if (c.group(2).equals("1") && area > 0 && painted > area / 200 && Integer.parseInt(c.group(6)) > 0) {
                    rendered.add(c.group(1));
                } else {
                    failures.add("chart " + c.group(1) + " did not render: " + line);
                }
            } else if (line.startsWith("tooltip ")) {
                if (line.split(" ", 3).length < 3 || line.split(" ", 3)[2].isBlank()) {
                    failures.add("no tooltip when hovering " + line.substring(8));
                } else {
                    tooltips++;
                }
            } else if (line.startsWith("slider ")) {
                if (!line.matches("slider iteration \\d+ .*, 1 of \\d+; points [1-9][0-9,]*")) {
                    failures.add("the slider did not move to the first recording: " + line);
                }
            } else if (line.startsWith("sort ")) {
                if (!line.endsWith(" ok")) {
                    failures.add("a table did not sort: " + line);
                }
            } else if (line.startsWith("download ")) {
                downloads.add(line);
            } else if (line.startsWith("csv ") && line.endsWith("rows=0") || line.matches("csv \\S+ rows=-1")) {
                failures.add("no CSV rows: " + line);
            } else if (line.startsWith("resources ") && !line.equals("resources 0")) {
                failures.add("the page loaded external resources: " + line);
            } else if (line.startsWith("problem ")) {
                failures.add(line);
            }
        }
        // every CSV button downloads a file with a header and as many rows as its chart has numbers
        for (String line : lines) {
            Matcher c = Pattern.compile("csv (\\S+) rows=(\\d+)").matcher(line);
            if (c.matches()) {
                String want = "download " + c.group(1) + ".csv lines=" + (Integer.parseInt(c.group(2)) + 1) + " header=";
                if (downloads.stream().noneMatch(d -> d.startsWith(want))) {
                    failures.add("the CSV button '" + c.group(1) + "' did not download " + (Integer.parseInt(c.group(2)) + 1)
                            + " lines: " + downloads.stream().filter(d -> d.startsWith("download " + c.group(1) + ".csv")).toList());
                }
            }
        }
        for (String id : chartIds) {
            if (!rendered.contains(id) && failures.stream().noneMatch(f -> f.startsWith("chart " + id + " "))) {
                failures.add("chart " + id + " has no status line");
            }
        }
        BufferedImage shot = ImageIO.read(new File(args[1]));
        String shotSummary = shot == null ? "unreadable" : screenshot(shot, failures);
        if (!failures.isEmpty()) {
            System.err.println("browser check FAILED for " + args[0] + ":");
            failures.forEach(f -> System.err.println("  " + f));
            System.exit(1);
        }
        if (tooltips < rendered.size()) {
            System.err.println("browser check FAILED: " + tooltips + " tooltips for " + rendered.size() + " charts");
            System.exit(1);
        }
        System.out.println("browser check ok: " + rendered.size() + " charts rendered with tooltips, " + downloads.size()
                + " CSV downloads, no console errors or warnings, "
                + "no network requests, screenshot " + shotSummary);
    }

    /** A blank (or nearly blank) screenshot has few colours and almost every pixel the same. */
    static String screenshot(BufferedImage img, List<String> failures) {
        int w = img.getWidth();
        int h = img.getHeight();
        int corner = img.getRGB(0, 0);
        Set<Integer> colours = new HashSet<>();
        long differ = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != (corner & 0xffffff)) {
                    differ++;
                }
            }
        }
        double share = (double) differ / ((long) w * h);
        if (colours.size() < 50 || share < 0.05) {
            failures.add(String.format("screenshot looks blank: %d colours, %.1f%% of pixels differ from the background",
                    colours.size(), 100 * share));
        }
        return String.format("%dx%d with %d colours, %.0f%% not background", w, h, colours.size(), 100 * share);
    }

    static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }
}
