package org.jbits.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The slot constants next to each method equal reference §2.2's absolute vtable slots. The constant for method
 * {@code GetFileACLFlags} is {@code GET_FILE_ACL_FLAGS}, declared in the class of the interface that introduces it.
 */
class VtableSlotsTest {

    /** Which class holds the constants of each interface header in §2.2 (interfaces the binding does not wrap are absent). */
    private static final Map<String, List<Class<?>>> CLASSES = new LinkedHashMap<>();

    static {
        CLASSES.put("IBackgroundCopyManager", List.of(IBackgroundCopyManager.class));
        CLASSES.put("IBackgroundCopyJob", List.of(IBackgroundCopyJob.class));
        CLASSES.put("IBackgroundCopyJob2", List.of(IBackgroundCopyJob2.class));
        CLASSES.put("IBackgroundCopyJob3", List.of(IBackgroundCopyJob3.class));
        CLASSES.put("IBackgroundCopyJob4", List.of(IBackgroundCopyJob4.class));
        CLASSES.put("IBackgroundCopyJob5", List.of(IBackgroundCopyJob5.class));
        CLASSES.put("IBackgroundCopyFile", List.of(IBackgroundCopyFile.class));
        CLASSES.put("File2", List.of(IBackgroundCopyFile.IBackgroundCopyFile2.class));
        CLASSES.put("File3", List.of(IBackgroundCopyFile.IBackgroundCopyFile3.class));
        CLASSES.put("File4", List.of(IBackgroundCopyFile.IBackgroundCopyFile4.class));
        CLASSES.put("File5", List.of(IBackgroundCopyFile.IBackgroundCopyFile5.class));
        CLASSES.put("File6", List.of(IBackgroundCopyFile.IBackgroundCopyFile6.class));
        CLASSES.put("IEnumBackgroundCopyJobs / IEnumBackgroundCopyFiles",
                List.of(ComEnumerator.class));
        CLASSES.put("IBackgroundCopyError", List.of(IBackgroundCopyError.class));
        CLASSES.put("IBackgroundCopyCallback", List.of(CopyCallback.class));
        CLASSES.put("Callback2", List.of(CopyCallback.class));
        CLASSES.put("Callback3", List.of(CopyCallback.class));
        CLASSES.put("IBackgroundCopyJobHttpOptions", List.of(IBackgroundCopyJobHttpOptions.class));
        CLASSES.put("HttpOptions2", List.of(IBackgroundCopyJobHttpOptions.class));
        CLASSES.put("HttpOptions3", List.of(IBackgroundCopyJobHttpOptions.class));
    }

    /** {@code GetFileACLFlags} -> {@code GET_FILE_ACL_FLAGS}. */
    static String constantName(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z])([A-Z][a-z])", "$1_$2").toUpperCase();
    }

    private static int slot(Class<?> k, String method) {
        try {
            Field f = k.getDeclaredField(constantName(method));
            f.setAccessible(true);
            return f.getInt(null);
        } catch (NoSuchFieldException e) {
            throw new AssertionError(k.getSimpleName() + " has no slot constant " + constantName(method) + " for " + method);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void constantNamesFollowTheMethodNames() {
        assertEquals("GET_FILE_ACL_FLAGS", constantName("GetFileACLFlags"));
        assertEquals("SET_CLIENT_CERTIFICATE_BY_ID", constantName("SetClientCertificateByID"));
        assertEquals("JOB_TRANSFERRED", constantName("JobTransferred"));
    }

    @Test
    void keySlotsWithoutTheReference() {
        assertEquals(3, IBackgroundCopyManager.CREATE_JOB);
        assertEquals(7, IBackgroundCopyJob.RESUME);
        assertEquals(25, IBackgroundCopyJob.SET_NOTIFY_INTERFACE);
        assertEquals(34, IBackgroundCopyJob.TAKE_OWNERSHIP);
        assertEquals(52, IBackgroundCopyJob4.GET_MAXIMUM_DOWNLOAD_TIME);
        assertEquals(53, IBackgroundCopyJob5.SET_PROPERTY);
        assertEquals(8, IBackgroundCopyFile.IBackgroundCopyFile3.GET_TEMPORARY_NAME);
        assertEquals(6, CopyCallback.FILE_TRANSFERRED);
    }

    @Test
    void everySlotInReferenceSection22MatchesItsConstant() {
        var text = Reference.text();
        org.junit.jupiter.api.Assertions.assertTrue(text.isPresent(), "the reference " + Reference.RELATIVE + " is not beside this checkout");
        String section = Reference.section(text.get(), "2.2");
        Matcher header = Pattern.compile("\\*\\*((?:I[A-Z]|File\\d|HttpOptions\\d|Callback\\d)[^*]*?)(?: : \\w+)?\\*\\* — ").matcher(section);
        List<int[]> bounds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (header.find()) {
            names.add(header.group(1).trim());
            bounds.add(new int[]{header.end(), 0});
        }
        for (int i = 0; i < bounds.size(); i++) {
            bounds.get(i)[1] = i + 1 < bounds.size() ? bounds.get(i + 1)[0] : section.length();
        }
        int checked = 0;
        List<String> covered = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            List<Class<?>> classes = CLASSES.get(names.get(i));
            if (classes == null) {
                continue;
            }
            covered.add(names.get(i));
            String body = section.substring(bounds.get(i)[0], bounds.get(i)[1]);
            Matcher m = Pattern.compile("(?:^|[—,.] )(\\d+) ([A-Z][A-Za-z]+)").matcher(body);
            int before = checked;
            while (m.find()) {
                int expected = Integer.parseInt(m.group(1));
                for (Class<?> k : classes) {
                    assertEquals(expected, slot(k, m.group(2)), names.get(i) + "::" + m.group(2) + " in " + k.getSimpleName());
                    checked++;
                }
            }
            assertTrue(checked > before, "no slots parsed for " + names.get(i) + ": " + body);
        }
        assertEquals(CLASSES.keySet().stream().toList(), covered, "every wrapped interface was found in §2.2");
        assertTrue(checked >= 90, "slots checked: " + checked);
    }
}
