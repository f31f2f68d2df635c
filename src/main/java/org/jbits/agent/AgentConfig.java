package org.jbits.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jbits.BitsException;
import org.jbits.BitsOptions;
import org.jbits.HResult;

/**
 * The agent's configuration file, {@code JBITS_HOME/jbits.conf}, read once at agent start: one {@code key = value}
 * a line, {@code #} comments and blank lines ignored. Its keys are backend settings ({@link BitsOptions#settings()}):
 * {@code transferPolicy.foreground|high|normal|low} (the default transfer policy of jobs of that priority that set
 * none, BITS' group policy {@code BITS_SetTransferPolicyOnCostedNetwork}), {@code bandwidth.high|normal|low} (a cap
 * with its time-of-day schedule, {@link org.jbits.bandwidth.BandwidthSchedule}; {@code bandwidth.all} over all
 * background transfers, BITS' MaxInternetBandwidth), {@code idle.*} (the idle-bandwidth controller,
 * {@link org.jbits.bandwidth.BandwidthPolicy}), {@code network.detection} ({@code networkmanager} or {@code none}),
 * {@code power.detection} ({@code upower} or {@code none}) and {@code power.pauseOnBattery}, and the engine's {@code engine.*} and {@code http.*} tuning. An unknown
 * key, a line without '=' or a key given twice stops the agent's start with the line's number, as does a value the
 * backend refuses: a typo in an administrator's policy must not pass unnoticed. A {@code -Djbits.KEY} property
 * (from {@code JBITS_JAVA_OPTS}) outranks the file.
 */
public final class AgentConfig {
    /** The file's name in the state directory. */
    public static final String FILE = "jbits.conf";
    private static final Pattern KEY = Pattern.compile(
            "transferPolicy\\.(foreground|high|normal|low)|bandwidth\\.(high|normal|low|all)|network\\.detection"
                    + "|power\\.(detection|pauseOnBattery)|(engine|http|idle)\\.[A-Za-z]+");

    private AgentConfig() {
    }

    /** {@code options} with the settings of {@code stateDir/jbits.conf} added (none when there is no file). */
    public static BitsOptions apply(BitsOptions options, Path stateDir) {
        BitsOptions out = options;
        for (Map.Entry<String, String> e : read(stateDir.resolve(FILE)).entrySet()) {
            if (System.getProperty("jbits." + e.getKey()) == null && !options.settings().containsKey(e.getKey())) {
                out = out.with(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The settings in {@code file}; empty when it does not exist; E_INVALIDARG naming the line otherwise. */
    static Map<String, String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new BitsException(HResult.E_INVALIDARG, "cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            int eq = l.indexOf('=');
            if (eq < 0) {
                throw new BitsException(HResult.E_INVALIDARG, where + ": '" + l + "' is not key = value");
            }
            String key = l.substring(0, eq).strip();
            String value = l.substring(eq + 1).strip();
            if (!KEY.matcher(key).matches()) {
                throw new BitsException(HResult.E_INVALIDARG, where + ": unknown key '" + key + "' (known: "
                        + "transferPolicy.foreground, .high, .normal, .low; bandwidth.high, .normal, .low, .all; "
                        + "network.detection; power.detection, .pauseOnBattery; engine.*; http.*; idle.*)");
            }
            if (m.put(key, value) != null) {
                throw new BitsException(HResult.E_INVALIDARG, where + ": '" + key + "' is given twice");
            }
        }
        return m;
    }
}
