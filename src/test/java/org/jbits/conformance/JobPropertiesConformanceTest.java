package org.jbits.conformance;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.BitsLimits;
import org.jbits.CostState;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobProgress;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A job's properties, defaults and argument checks: reference §1.4, §7 items 1, 2, 3 and 9. No transfers. */
class JobPropertiesConformanceTest extends ConformanceTestBase {

    @Test
    @DisplayName("new-job-defaults")
    @WineDeviation("GetMinimumRetryDelay returns a hard-coded 30 and GetNoProgressTimeout 900; GetPriority and "
            + "GetProxySettings return E_NOTIMPL (reference §6.2); GetDescription of a new job fails with 0x800703E6 "
            + "(ERROR_NOACCESS: Wine holds a NULL description; oracle)")
    void newJobHasBitsDefaults() {
        BitsJob job = download("defaults");
        assertAll(
                () -> assertEquals(JobState.SUSPENDED, job.state(), "state"),
                () -> assertEquals(JobType.DOWNLOAD, job.type(), "type"),
                () -> assertEquals("defaults", job.displayName(), "display name"),
                () -> assertEquals("", job.description(), "description"),
                () -> assertEquals(JobPriority.NORMAL, job.priority(), "priority"),
                () -> assertEquals(EnumSet.of(NotifyFlag.JOB_TRANSFERRED, NotifyFlag.JOB_ERROR), job.notifyFlags(), "notify flags"),
                () -> assertEquals(3, NotifyFlag.toMask(job.notifyFlags()), "notify mask"),
                () -> assertEquals(600, job.minimumRetryDelay(), "minimum retry delay"),
                () -> assertEquals(1_209_600, job.noProgressTimeout(), "no-progress timeout"),
                () -> assertEquals(ProxySettings.DEFAULT, job.proxySettings(), "proxy settings"),
                () -> assertEquals(new JobProgress(0, 0, 0, 0), job.progress(), "progress of an empty job"),
                () -> assertEquals(List.of(), job.files(), "files"),
                () -> assertTrue(job.error().isEmpty(), "no error on a new job"));
    }

    @Test
    @DisplayName("resume-empty-job-fails-BG_E_EMPTY")
    void resumeOfEmptyJobFails() {
        BitsJob job = download("empty");
        assertBitsError(HResult.BG_E_EMPTY, job::resume, "Resume on a job without files");
        assertEquals(JobState.SUSPENDED, job.state(), "the job stays suspended");
    }

    @Test
    @DisplayName("upload-job-second-addfile-fails-BG_E_TOO_MANY_FILES")
    @WineDeviation("AddFile does no validation and upload jobs are handled as downloads (reference §6.2, §8)")
    void uploadJobHoldsOneFile() throws Exception {
        Path first = Files.write(dir.resolve("first.bin"), ConformanceServer.content("first.bin", SMALL));
        Path second = Files.write(dir.resolve("second.bin"), ConformanceServer.content("second.bin", SMALL));
        BitsJob job = createJob("upload", JobType.UPLOAD);
        assertEquals(JobType.UPLOAD, job.type(), "type");
        try {
            job.addFile(server.uploadUrl("first.bin"), first.toString());
        } catch (BitsException e) {
            fail("the first AddFile of an upload job must succeed, but failed: " + e.getMessage());
        }
        assertBitsError(HResult.BG_E_TOO_MANY_FILES, () -> job.addFile(server.uploadUrl("second.bin"), second.toString()),
                "a second AddFile on an upload job");
        assertEquals(1, job.files().size(), "the upload job keeps its one file");
    }

    @Test
    @DisplayName("addfile-relative-local-path-fails-E_INVALIDARG")
    @WineDeviation("AddFile does not check file names (\"FIXME Check for valid filenames\", reference §6.2)")
    void relativeLocalNameIsRejected() {
        BitsJob job = download("relative");
        assertBitsError(HResult.E_INVALIDARG,
                () -> job.addFile(server.fileUrl("rel.bin", SMALL), "relative-dir" + File.separator + "rel.bin"),
                "AddFile with a relative local name");
        assertEquals(List.of(), job.files(), "no file was added");
    }

    @Test
    @DisplayName("create-job-display-name-257-chars-fails-BG_E_STRING_TOO_LONG")
    @WineDeviation("CreateJob accepts a display name of any length (oracle, native/README.md)")
    void createJobChecksDisplayNameLength() {
        assertBitsError(HResult.BG_E_STRING_TOO_LONG, () -> createJob("n".repeat(257), JobType.DOWNLOAD),
                "CreateJob with a 257-character display name");
        BitsJob job = createJob("m".repeat(256), JobType.DOWNLOAD);
        assertEquals("m".repeat(256), job.displayName(), "a 256-character display name is kept whole");
    }

    @Test
    @DisplayName("set-display-name-257-chars-fails-BG_E_STRING_TOO_LONG")
    void setDisplayNameChecksLength() {
        requires(Capability.SET_DISPLAY_NAME);
        BitsJob job = download("short");
        job.setDisplayName("d".repeat(256));
        assertEquals("d".repeat(256), job.displayName(), "256 characters are accepted");
        assertBitsError(HResult.BG_E_STRING_TOO_LONG, () -> job.setDisplayName("e".repeat(257)),
                "SetDisplayName with 257 characters");
        assertEquals("d".repeat(256), job.displayName(), "the rejected name changed nothing");
    }

    @Test
    @DisplayName("description-1025-chars-fails")
    void descriptionChecksLength() {
        BitsJob job = download("description");
        job.setDescription("a".repeat(1024));
        assertEquals("a".repeat(1024), job.description(), "1,024 characters are accepted");
        BitsException e = assertThrows(BitsException.class, () -> job.setDescription("b".repeat(1025)),
                "SetDescription with 1,025 characters must fail");
        assertFalse(HResult.succeeded(e.hresult()), "a failure code: " + e.getMessage());
        assertEquals("a".repeat(1024), job.description(), "the rejected description changed nothing");
    }

    @Test
    @DisplayName("min-retry-delay-below-5-reads-back-5")
    @WineDeviation("SetMinimumRetryDelay is ignored and GetMinimumRetryDelay returns a hard-coded 30 (reference §6.2)")
    void minimumRetryDelayIsClampedToFive() {
        BitsJob job = download("clamp");
        job.setMinimumRetryDelay(1);
        assertEquals(5, job.minimumRetryDelay(), "SetMinimumRetryDelay(1) reads back as");
    }

    @Test
    @DisplayName("display-name-round-trip")
    void displayNameRoundTrips() {
        requires(Capability.SET_DISPLAY_NAME);
        BitsJob job = download("before");
        for (String name : List.of("after", "Nächtlicher Abgleich ✓", "")) {
            job.setDisplayName(name);
            assertEquals(name, job.displayName(), "display name");
        }
    }

    @Test
    @DisplayName("description-round-trip")
    void descriptionRoundTrips() {
        BitsJob job = download("description");
        for (String d : List.of("first", "Beschreibung mit Umlauten äöü and 日本語", "")) {
            job.setDescription(d);
            assertEquals(d, job.description(), "description");
        }
    }

    @Test
    @DisplayName("priority-round-trip")
    void priorityRoundTrips() {
        requires(Capability.PRIORITY);
        BitsJob job = download("priority");
        for (JobPriority p : List.of(JobPriority.FOREGROUND, JobPriority.HIGH, JobPriority.LOW, JobPriority.NORMAL)) {
            job.setPriority(p);
            assertEquals(p, job.priority(), "priority");
        }
    }

    @Test
    @DisplayName("notify-flags-round-trip")
    void notifyFlagsRoundTrip() {
        BitsJob job = download("notify");
        List<Set<NotifyFlag>> sets = List.of(
                EnumSet.of(NotifyFlag.JOB_MODIFICATION),
                EnumSet.of(NotifyFlag.JOB_TRANSFERRED, NotifyFlag.FILE_TRANSFERRED),
                EnumSet.of(NotifyFlag.DISABLE),
                EnumSet.of(NotifyFlag.JOB_ERROR),
                EnumSet.of(NotifyFlag.JOB_TRANSFERRED, NotifyFlag.JOB_ERROR));
        for (Set<NotifyFlag> flags : sets) {
            job.setNotifyFlags(flags);
            assertEquals(flags, job.notifyFlags(), "notify flags");
        }
    }

    @Test
    @DisplayName("retry-settings-round-trip")
    @WineDeviation("SetMinimumRetryDelay and SetNoProgressTimeout are ignored; the getters return 30 and 900 (reference §6.2)")
    void retrySettingsRoundTrip() {
        BitsJob job = download("retry");
        job.setMinimumRetryDelay(60);
        job.setNoProgressTimeout(3600);
        assertEquals(60, job.minimumRetryDelay(), "minimum retry delay");
        assertEquals(3600, job.noProgressTimeout(), "no-progress timeout");
        job.setMinimumRetryDelay(5);
        job.setNoProgressTimeout(0);
        assertEquals(5, job.minimumRetryDelay(), "minimum retry delay");
        assertEquals(0, job.noProgressTimeout(), "no-progress timeout 0 (every error fatal)");
    }

    @Test
    @DisplayName("proxy-override-with-lists-round-trip")
    void proxySettingsRoundTrip() {
        requires(Capability.PROXY_SETTINGS);
        BitsJob job = download("proxy");
        ProxySettings override = new ProxySettings(ProxyUsage.OVERRIDE,
                List.of("http://proxy.example:8080", "https=proxy2.example:8443"), List.of("*.example.org", "<local>"));
        job.setProxySettings(override);
        assertEquals(override, job.proxySettings(), "override with proxy and bypass lists");
        for (ProxyUsage usage : List.of(ProxyUsage.NO_PROXY, ProxyUsage.AUTO_DETECT, ProxyUsage.SYSTEM_DEFAULT)) {
            ProxySettings s = new ProxySettings(usage, List.of(), List.of());
            job.setProxySettings(s);
            assertEquals(s, job.proxySettings(), usage + " without lists");
        }
    }

    @Test
    @DisplayName("proxy-lists-rejected-without-override-E_INVALIDARG")
    void proxyListsNeedOverride() {
        requires(Capability.PROXY_SETTINGS);
        BitsJob job = download("proxy-lists");
        assertBitsError(HResult.E_INVALIDARG,
                () -> job.setProxySettings(new ProxySettings(ProxyUsage.NO_PROXY, List.of("proxy.example:8080"), List.of())),
                "SetProxySettings(NO_PROXY) with a proxy list");
        assertBitsError(HResult.E_INVALIDARG,
                () -> job.setProxySettings(new ProxySettings(ProxyUsage.SYSTEM_DEFAULT, List.of(), List.of("<local>"))),
                "SetProxySettings(PRECONFIG) with a bypass list");
        assertEquals(ProxySettings.DEFAULT, job.proxySettings(), "the rejected settings changed nothing");
    }

    @Test
    @DisplayName("maximum-download-time-default-and-round-trip")
    void maximumDownloadTimeRoundTrips() {
        requires(Capability.MAXIMUM_DOWNLOAD_TIME);
        BitsJob job = download("max-time");
        assertEquals(7_776_000, job.maximumDownloadTime(), "default: 90 days");
        job.setMaximumDownloadTime(3600);
        assertEquals(3600, job.maximumDownloadTime(), "maximum download time");
    }

    @Test
    @DisplayName("transfer-policy-round-trip")
    void transferPolicyRoundTrips() {
        requires(Capability.TRANSFER_POLICY);
        BitsJob job = download("policy");
        for (TransferPolicy p : TransferPolicy.values()) {
            job.setTransferPolicy(p);
            assertEquals(HResult.hex(p.flags()), HResult.hex(job.transferPolicyFlags()), "cost flags of " + p);
        }
    }

    /** BITS keeps any mask of cost-state bits, with or without IGNORE_CONGESTION (reference §5.2's custom bitmask). */
    @Test
    @DisplayName("transfer-policy-custom-mask-round-trip")
    void customCostFlagsRoundTrip() {
        requires(Capability.TRANSFER_POLICY);
        BitsJob job = download("custom-policy");
        int unrestrictedOrBelowCap = CostState.UNRESTRICTED.bit() | CostState.BELOW_CAP.bit();
        for (int mask : new int[]{unrestrictedOrBelowCap | BitsLimits.COST_OPTION_IGNORE_CONGESTION, unrestrictedOrBelowCap,
                CostState.ROAMING.bit()}) {
            job.setTransferPolicyFlags(mask);
            assertEquals(HResult.hex(mask), HResult.hex(job.transferPolicyFlags()), "the custom cost flags");
            assertNull(TransferPolicy.ofFlags(job.transferPolicyFlags()), "no named policy has this mask");
        }
        job.setTransferPolicy(TransferPolicy.STANDARD);
        assertEquals(TransferPolicy.STANDARD, TransferPolicy.ofFlags(job.transferPolicyFlags()), "a named policy after a custom mask");
    }

    /** A bit BITS does not define (BITS_COST_STATE_RESERVED 0x40000000, 0x100) is refused before the job changes. */
    @Test
    @DisplayName("transfer-policy-undefined-cost-bit-fails-E_INVALIDARG")
    void undefinedCostFlagsFail() {
        BitsJob job = download("undefined-cost-bit");
        int before = job.transferPolicyFlags();
        for (int mask : new int[]{0x40000000 | TransferPolicy.ALWAYS.flags(), 0x100 | CostState.UNRESTRICTED.bit()}) {
            assertBitsError(HResult.E_INVALIDARG, () -> job.setTransferPolicyFlags(mask),
                    "SetProperty(COST_FLAGS, " + HResult.hex(mask) + ")");
        }
        assertEquals(HResult.hex(before), HResult.hex(job.transferPolicyFlags()), "the refused masks changed nothing");
    }

    @Test
    @DisplayName("owner-is-not-empty")
    void ownerIsNotEmpty() {
        requires(Capability.OWNER);
        BitsJob job = download("owner");
        assertNotNull(job.owner(), "owner");
        assertFalse(job.owner().isBlank(), "the owner names an account");
    }

    @Test
    @DisplayName("job-type-is-kept")
    void jobTypeIsKept() {
        for (JobType type : JobType.values()) {
            BitsJob job = createJob("type-" + type.displayName(), type);
            assertEquals(type, job.type(), "type");
            assertEquals(type, bits.getJob(job.id()).type(), "type through GetJob");
        }
    }

    @Test
    @DisplayName("enumerate-jobs-and-get-by-id")
    void enumerateAndGet() {
        List<BitsJob> made = List.of(download("enum-1"), download("enum-2"), download("enum-3"));
        List<UUID> listed = bits.jobs().stream().map(BitsJob::id).toList();
        for (BitsJob j : made) {
            assertTrue(listed.contains(j.id()), "jobs() lists " + j.displayName() + " (" + j.id() + "): " + listed);
            BitsJob found = bits.getJob(j.id());
            assertEquals(j.id(), found.id(), "GetJob finds the job");
            assertEquals(j.displayName(), found.displayName(), "GetJob's job has the same display name");
        }
        made.get(1).cancel();
        List<UUID> after = bits.jobs().stream().map(BitsJob::id).toList();
        assertFalse(after.contains(made.get(1).id()), "a cancelled job is no longer enumerated");
        assertTrue(after.contains(made.get(0).id()) && after.contains(made.get(2).id()), "the others still are");
    }

    @Test
    @DisplayName("get-unknown-job-fails-BG_E_NOT_FOUND")
    void getUnknownJobFails() {
        assertBitsError(HResult.BG_E_NOT_FOUND, () -> bits.getJob(UUID.randomUUID()), "GetJob with an unknown id");
    }
}
