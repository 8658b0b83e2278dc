package io.pivotplane.devstack.benchmark;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** A PNG of each stage's handoff latencies over the run: one dot per cluster and stage, at the time it ended. */
final class LatencyChart {

    private static final int WIDTH = 1200;
    private static final int HEIGHT = 700;
    private static final int LEFT = 80;
    private static final int RIGHT = 220;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd)};

    private LatencyChart() {
    }

    static void write(Path file, String title, long startEpochMillis, Map<String, List<StageClock.Handoff>> handoffs)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);

        double maxSeconds = 1;
        double maxMillis = 10;
        for (List<StageClock.Handoff> list : handoffs.values()) {
            for (StageClock.Handoff handoff : list) {
                maxSeconds = Math.max(maxSeconds, (handoff.endEpochMillis() - startEpochMillis) / 1000.0);
                maxMillis = Math.max(maxMillis, handoff.millis());
            }
        }
        // milliseconds on a log scale: the fast handoffs and the slow tail both stay readable
        double logMax = Math.log10(maxMillis * 1.2);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(LEFT, TOP, plotWidth, plotHeight);
        for (double millis = 1; millis <= maxMillis * 1.2; millis *= 10) {
            int y = TOP + plotHeight - (int) (Math.log10(millis) / logMax * plotHeight);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT + 1, y, LEFT + plotWidth - 1, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%,.0f ms", millis), 8, y + 4);
        }
        int secondsStep = (int) Math.max(1, Math.ceil(maxSeconds / 10));
        for (int second = 0; second <= maxSeconds; second += secondsStep) {
            int x = LEFT + (int) (second / maxSeconds * plotWidth);
            g.drawString(second + " s", x - 8, TOP + plotHeight + 18);
        }
        g.drawString("time since the first request (s)", LEFT + plotWidth / 2 - 90, HEIGHT - 15);

        int legend = 0;
        for (Map.Entry<String, List<StageClock.Handoff>> stage : handoffs.entrySet()) {
            Color colour = COLOURS[legend % COLOURS.length];
            g.setColor(colour);
            for (StageClock.Handoff handoff : stage.getValue()) {
                double seconds = (handoff.endEpochMillis() - startEpochMillis) / 1000.0;
                int x = LEFT + (int) (seconds / maxSeconds * plotWidth);
                int y = TOP + plotHeight - (int) (Math.log10(Math.max(1, handoff.millis())) / logMax * plotHeight);
                g.fillOval(x - 2, y - 2, 4, 4);
            }
            g.fillRect(WIDTH - RIGHT + 20, TOP + 10 + legend * 22, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString("into " + stage.getKey(), WIDTH - RIGHT + 38, TOP + 21 + legend * 22);
            legend++;
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}
