package org.sparktrain.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports as people open them (issue 13): a tiny {@code train} run's report.html, an {@code evaluate} run's and a
 * {@code sparktrain report DIR DIR} comparison, each opened in headless Chromium (Debian's {@code chromium}, started
 * here; skipped with the reason when there is none). A page passes when Chromium exits 0 in time, writes a non-empty
 * 1280-wide PNG screenshot that is not one flat colour, its console stays empty (the pages hold no script, so any
 * console line is an error: a script error, a blocked or failed load), every section is in the DOM Chromium built,
 * every inlined image decoded, and nothing refers to a file outside the page (no src, href or CSS url() but data:
 * and #fragments). The last three are read by a probe script added to a copy
 * of the page (never to the page itself), which after the load event writes what it found onto {@code <body>} for
 * {@code --dump-dom}. {@link #aBrokenPageIsCaught} shows the checks fail on a page with a script error, a broken
 * image, a stylesheet outside the page and a missing section. Screenshots are kept in {@code tests/target/chromium/}.
 */
class ReportInChromiumTest {
    static final Path ROOT = StandaloneClusterTest.ROOT;
    static final Path SHOTS = ROOT.resolve("tests/target/chromium");
    static final int WIDTH = 1280;

    /** Added before {@code </body>} of the copy Chromium opens: what loaded, written onto the body after load. */
    static final String PROBE = """
            <script>addEventListener('load', () => {
              const b = document.body, imgs = [...document.images];
              b.setAttribute('data-probe-images', imgs.length);
              b.setAttribute('data-probe-broken', imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                  .map(i => i.alt || i.src.slice(0, 60)).join(' | '));
              const refs = [...document.querySelectorAll('[src],[href],[srcset],[poster],[data]')]
                  .flatMap(e => ['src', 'href', 'srcset', 'poster', 'data'].map(a => e.getAttribute(a)))
                  .filter(v => v !== null && !v.startsWith('data:') && !v.startsWith('#'));
              const css = [];
              for (const sheet of document.styleSheets) {
                if (sheet.href) continue; // a <link>: listed with the [href]s
                try {
                  for (const rule of sheet.cssRules) {
                    css.push(...(rule.cssText.match(/url\\((?!"?data:)[^)]*\\)/g) || []));
                  }
                } catch (e) {
                  css.push('a stylesheet that cannot be read: ' + e);
                }
              }
              b.setAttribute('data-probe-outside', refs.concat(css).join(' | '));
              b.setAttribute('data-probe-done', 'yes');
            });</script>
            """;

    /** What Chromium made of a page. */
    record Opened(String page, int exit, List<String> console, String dom, byte[] png) {
        String probe(String name) {
            Matcher m = Pattern.compile("data-probe-" + name + "=\"([^\"]*)\"").matcher(dom);
            return m.find() ? m.group(1) : null;
        }
    }

    static Path chromium() {
        String given = System.getenv("CHROMIUM");
        if (given != null && Files.isExecutable(Path.of(given))) {
            return Path.of(given);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    static Path requireChromium() {
        Path bin = chromium();
        Assumptions.assumeTrue(bin != null, "no chromium binary on PATH (nor $CHROMIUM): install Debian's chromium"
                + " package (apt-get install chromium; .ci/run does) to open the reports in a browser");
        return bin;
    }

    /**
     * Opens a copy of {@code page} (beside it, so relative references resolve alike) with {@link #PROBE} added, in
     * headless Chromium with its own profile under {@code tmp}: screenshot to {@code png}, the DOM after load to
     * standard output, the browser's log (console lines included) to standard error.
     */
    static Opened open(Path bin, Path page, Path png, Path tmp) throws Exception {
        String html = Files.readString(page, StandardCharsets.UTF_8);
        int end = html.lastIndexOf("</body>");
        assertTrue(end > 0, page + " has no </body>");
        Path copy = page.resolveSibling("chromium-probe-" + page.getFileName());
        Files.writeString(copy, html.substring(0, end) + PROBE + html.substring(end), StandardCharsets.UTF_8);
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        Path dom = Files.createTempFile(tmp, "dom", ".html");
        Path log = Files.createTempFile(tmp, "chromium", ".log");
        Files.deleteIfExists(png);
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + profile, "--enable-logging=stderr",
                "--v=0", "--screenshot=" + png, "--window-size=" + WIDTH + ",2400", "--dump-dom",
                copy.toUri().toString()).redirectOutput(dom.toFile()).redirectError(log.toFile());
        pb.environment().put("HOME", profile.toString());
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish " + page + " in 120 s; its log: "
                        + Files.readString(log));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(copy);
        }
        List<String> console = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(":CONSOLE")).toList();
        byte[] shot = Files.exists(png) ? Files.readAllBytes(png) : new byte[0];
        return new Opened(page.toString(), p.exitValue(), console, Files.readString(dom, StandardCharsets.UTF_8), shot);
    }

    /** What is wrong with an opened page that should hold {@code sections} (element ids); empty when nothing. */
    static List<String> problems(Opened o, List<String> sections) throws Exception {
        List<String> bad = new ArrayList<>();
        if (o.exit() != 0) {
            bad.add("chromium exited " + o.exit());
        }
        bad.addAll(o.console().stream().map(l -> "console: " + l).toList());
        if (o.png().length < 8 || !new String(o.png(), 1, 3, StandardCharsets.US_ASCII).equals("PNG")) {
            bad.add("no PNG screenshot (" + o.png().length + " bytes)");
        } else {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(o.png()));
            if (img == null || img.getWidth() != WIDTH) {
                bad.add("the screenshot is not a " + WIDTH + "-wide image");
            } else {
                Set<Integer> colours = new HashSet<>();
                for (int y = 0; y < img.getHeight() && colours.size() < 3; y += 7) {
                    for (int x = 0; x < img.getWidth() && colours.size() < 3; x += 7) {
                        colours.add(img.getRGB(x, y));
                    }
                }
                if (colours.size() < 3) {
                    bad.add("the screenshot is blank");
                }
            }
        }
        if (!"yes".equals(o.probe("done"))) {
            bad.add("the page's load event never came (no probe result in the DOM)");
        } else {
            if (Integer.parseInt(o.probe("images")) == 0) {
                bad.add("no images at all");
            }
            if (!o.probe("broken").isEmpty()) {
                bad.add("images that did not decode: " + o.probe("broken"));
            }
            if (!o.probe("outside").isEmpty()) {
                bad.add("refers to files outside the page: " + o.probe("outside"));
            }
        }
        for (String id : sections) {
            if (!o.dom().contains("id=\"" + id + "\"")) {
                bad.add("no section id=\"" + id + "\"");
            }
        }
        return bad;
    }

    static void assertOpensCleanly(Path bin, Path page, String shot, List<String> sections, Path tmp)
            throws Exception {
        Files.createDirectories(SHOTS);
        Path png = SHOTS.resolve(shot);
        long t0 = System.nanoTime();
        Opened o = open(bin, page, png, tmp);
        List<String> bad = problems(o, sections);
        assertTrue(bad.isEmpty(), page + " in chromium: " + bad);
        System.out.printf("%s: opened in chromium in %.1f s, %d images, screenshot %s (%d bytes)%n", page,
                (System.nanoTime() - t0) / 1e9, Integer.parseInt(o.probe("images")), png, o.png().length);
    }

    static String run(Path tmp, String name, String... args) throws Exception {
        Path log = tmp.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of("scripts/sparktrain"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SPARKTRAIN_SKIP_BUILD", "1");
        pb.environment().put("SPARKTRAIN_CDS", "0");
        Process p = pb.start();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                throw new AssertionError(cmd + " did not finish in 180 s: " + Files.readString(log));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), cmd + ": " + text);
        return text;
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void trainEvaluateAndComparisonReportsOpenCleanly(@TempDir Path tmp) throws Exception {
        Path bin = requireChromium();
        assertTrue(Files.exists(ROOT.resolve("driver/target/lib")), "the driver module must be packaged first");
        Path csv = tmp.resolve("rows.csv");
        StringBuilder sb = new StringBuilder("a,b,c,label\n");
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 400; i++) {
            int y = r.nextInt(3);
            sb.append(r.nextDouble() + y).append(',').append(r.nextDouble() - y / 2.0).append(',')
                    .append(r.nextDouble()).append(',').append(y).append('\n');
        }
        Files.writeString(csv, sb.toString());
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, """
                name: chromium
                input: [3]
                classes: 3
                layers:
                  - {type: dense, units: 8, activation: relu}
                  - {type: dense, units: 3, activation: softmax}
                optimizer: {type: adam, lr: 0.02}
                training: {batch_size: 16, epochs: 2, seed: 1}
                """);
        Path train = tmp.resolve("runs/train");
        Path eval = tmp.resolve("runs/holdout");
        run(tmp, "train", "train", "--model", spec.toString(), "--data", csv.toString(), "--validation", "0.2",
                "--workers", "2", "--out", train.toString());
        run(tmp, "evaluate", "evaluate", "--method", "holdout", "--model", spec.toString(), "--data", csv.toString(),
                "--workers", "2", "--seed", "2", "--out", eval.toString());
        String cmp = run(tmp, "report", "report", train.toString(), eval.toString());
        Path compare = tmp.resolve("runs/compare.html");
        assertTrue(cmp.contains("written to " + compare), cmp);

        assertOpensCleanly(bin, train.resolve("report.html"), "train-report.png",
                List.of("summary", "curves", "epochs", "classes", "confusion", "provenance"), tmp);
        assertOpensCleanly(bin, eval.resolve("report.html"), "evaluate-report.png",
                List.of("summary", "curves", "spread", "runs", "confusion", "provenance"), tmp);
        assertOpensCleanly(bin, compare, "comparison.png", List.of("runs", "curves", "final", "settings"), tmp);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aBrokenPageIsCaught(@TempDir Path tmp) throws Exception {
        Path bin = requireChromium();
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 40; x++) {
            for (int y = 0; y < 20; y++) {
                img.setRGB(x, y, x < 20 ? 0x3366cc : y < 10 ? 0xcc3333 : 0xffffff);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        String good = "<img alt=\"good chart\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(bytes.toByteArray()) + "\">";
        String page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>t</title>%s</head><body>\n"
                + "<h1>a page</h1><h2 id=\"summary\">Summary</h2>" + good + "%s</body></html>\n";
        // the same page without its faults passes: the checks are not failing everything
        Path fine = tmp.resolve("fine.html");
        Files.writeString(fine, page.formatted("", "<h2 id=\"confusion\">Confusion</h2>"));
        Files.createDirectories(SHOTS);
        assertEquals(List.of(), problems(open(bin, fine, tmp.resolve("fine.png"), tmp), List.of("summary",
                "confusion")));

        Path broken = tmp.resolve("broken.html");
        Files.writeString(broken, page.formatted("<link rel=\"stylesheet\" href=\"missing.css\">",
                "<img alt=\"cut chart\" src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB\">"
                        + "<script>drawChart();</script>"));
        List<String> bad = problems(open(bin, broken, tmp.resolve("broken.png"), tmp), List.of("summary",
                "confusion"));
        String all = String.join("\n", bad);
        assertTrue(all.contains("console: ") && all.contains("drawChart is not defined"), "the script error: " + all);
        assertTrue(all.contains("images that did not decode: cut chart") && !all.contains("good chart"),
                "the broken image, not the good one: " + all);
        assertTrue(all.contains("refers to files outside the page: missing.css"), "the file outside: " + all);
        assertTrue(all.contains("no section id=\"confusion\""), "the missing section: " + all);
    }
}
