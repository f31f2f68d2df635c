package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jbits.BitsException;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobState;
import org.jbits.JobType;
import org.jbits.NotifyFlag;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;
import org.junit.jupiter.api.Test;

/** The protocol's wire form: every request survives a round trip, and anything that is not exactly a request is refused. */
class RequestCodecTest {
    private static final JobProperties ALL = new JobProperties("nightly", "two files", JobPriority.LOW, 60L, 3600L,
            0L, TransferPolicy.NOT_ROAMING, ProxyUsage.OVERRIDE, List.of("http=p:8080"), List.of("<local>"),
            Set.of(NotifyFlag.JOB_TRANSFERRED, NotifyFlag.FILE_TRANSFERRED), "/tmp/reply.txt");

    private static Request roundTrip(Request r) {
        byte[] line = RequestCodec.line(r);
        assertEquals('\n', line[line.length - 1]);
        return RequestCodec.decode(line, line.length - 1);
    }

    @Test
    void everyRequestSurvivesARoundTrip() {
        List<Request> all = List.of(new Request.Status(),
                new Request.Submit(JobType.UPLOAD_REPLY, ALL, List.of(new Request.NewFile("http://h/a b", "/tmp/é")), true),
                new Request.Submit(JobType.DOWNLOAD, JobProperties.NONE, List.of(new Request.NewFile("r", "/l")), false),
                new Request.Get(List.of()), new Request.Get(List.of("a", "{6f1d0c2e-0000-4000-8000-000000000000}")),
                new Request.AddFile("j", "http://h/x", "/tmp/x"), new Request.Set("j", ALL),
                new Request.Set("j", new JobProperties(null, null, null, null, null, null, null, null, null, null, Set.of())),
                new Request.Suspend("j"), new Request.Resume("j"), new Request.Complete("j"), new Request.Remove("j"),
                new Request.Wait("j", JobState.TRANSIENT_ERROR, Duration.ofMillis(250)), new Request.Stop(),
                new Request.Network(), new Request.NetworkOverride(null),
                new Request.NetworkOverride(org.jbits.CostState.OVER_CAP_CHARGED),
                new Request.RequestFileRanges("j", 2, List.of(new org.jbits.BitsFileRange(10, 90),
                        new org.jbits.BitsFileRange(500, org.jbits.BitsFileRange.LENGTH_TO_EOF))),
                new Request.UpdateDownloadPosition("j", 0, 1L << 40),
                new Request.Set("j", JobProperties.NONE.with(new JobProperties.Extras(null, null, null, null, null,
                        null, true))));
        for (Request r : all) {
            assertEquals(r, roundTrip(r), r.toString());
        }
    }

    @Test
    void theReplyFileIsAPropertyOfItsOwnNameAndAString() {
        String line = RequestCodec.encode(new Request.Set("j", ALL)).toString();
        assertTrue(line.contains("\"replyFileName\":\"/tmp/reply.txt\""), line);
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"replyFileName\":7}}", "replyFileName");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"replyFile\":\"/x\"}}", "replyFile");
    }

    @Test
    void networkOverrideTakesACostStateByItsJobObjectSpellingOrAutoAndNothingElse() {
        assertEquals("{\"op\":\"networkOverride\",\"cost\":\"OverCapCharged\"}",
                RequestCodec.encode(new Request.NetworkOverride(org.jbits.CostState.OVER_CAP_CHARGED)).toString());
        assertEquals("{\"op\":\"networkOverride\",\"cost\":\"Auto\"}",
                RequestCodec.encode(new Request.NetworkOverride(null)).toString());
        refused("{\"op\":\"networkOverride\",\"cost\":\"roaming\"}", "cost");
        refused("{\"op\":\"networkOverride\"}", "cost");
        refused("{\"op\":\"networkOverride\",\"cost\":null}", "cost");
        refused("{\"op\":\"networkOverride\",\"cost\":\"Roaming\",\"persist\":true}", "persist");
        refused("{\"op\":\"network\",\"json\":true}", "json");
    }

    @Test
    void enumValuesAreSpelledAsInTheJobObject() {
        String line = RequestCodec.encode(new Request.Set("j", ALL)).toString();
        assertTrue(line.contains("\"priority\":\"Low\"") && line.contains("\"transferPolicy\":\"NotRoaming\"")
                && line.contains("\"proxyUsage\":\"Override\"")
                && line.contains("\"notifyFlags\":[\"Transferred\",\"FileTransferred\"]"), line);
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"priority\":\"low\"}}", "priority");
        refused("{\"op\":\"submit\",\"type\":\"download\",\"files\":[{\"remote\":\"r\",\"local\":\"/l\"}]}", "type");
    }

    @Test
    void aFieldOfTheWrongTypeIsRefusedNamingItNeverCoerced() {
        String file = "\"files\":[{\"remote\":\"r\",\"local\":\"/l\"}]";
        refused("{\"op\":\"submit\"," + file + ",\"suspended\":\"yes\"}", "'suspended'");
        refused("{\"op\":\"submit\"," + file + ",\"suspended\":1}", "'suspended'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"retryInterval\":\"abc\"}}", "'retryInterval'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"retryInterval\":\"60\"}}", "'retryInterval'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"retryInterval\":60.0}}", "'retryInterval'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"retryTimeout\":1e3}}", "'retryTimeout'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"maxDownloadTime\":99999999999999999999}}", "'maxDownloadTime'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"displayName\":42}}", "'displayName'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"description\":null}}", "'description'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"proxyList\":\"p:8080\"}}", "'proxyList'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"notifyFlags\":[1]}}", "'notifyFlags'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":\"priority=Low\"}", "'properties'");
        refused("{\"op\":\"get\",\"jobs\":\"j\"}", "'jobs'");
        refused("{\"op\":\"resume\",\"job\":7}", "'job'");
        refused("{\"op\":\"wait\",\"job\":\"j\",\"state\":\"Queued\",\"timeoutMillis\":\"500\"}", "'timeoutMillis'");
        refused("{\"op\":true}", "'op'");
        refused("{\"op\":\"submit\",\"files\":[\"http://h/f\"]}", "'files'");
    }

    @Test
    void nulCharactersAndLoneSurrogatesAreRefusedWhereverTheyAre() {
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"displayName\":\"a\\u0000b\"}}", "NUL");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"description\":\"a\\ud800b\"}}", "lone surrogate");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"description\":\"\\udc00\"}}", "lone surrogate");
        refused("{\"op\":\"addFile\",\"job\":\"j\",\"remote\":\"http://h/\\u0000\",\"local\":\"/l\"}", "NUL");
        refused("{\"op\":\"get\",\"jobs\":[\"\\ud83d\"]}", "lone surrogate");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"proxyList\":[\"p\\u0000:1\"]}}", "NUL");
        // A pair is a character, not a lone surrogate.
        Request r = RequestCodec.decode("{\"op\":\"get\",\"jobs\":[\"\\ud83d\\ude00\"]}");
        assertEquals(new Request.Get(List.of("\ud83d\ude00")), r);
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        byte[] prefix = "{\"op\":\"get\",\"jobs\":[\"".getBytes(StandardCharsets.US_ASCII);
        for (byte[] bad : List.of(new byte[]{(byte) 0xFF}, new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[]{(byte) 0xC0, (byte) 0xAF})) {
            byte[] line = new byte[prefix.length + bad.length + 3];
            System.arraycopy(prefix, 0, line, 0, prefix.length);
            System.arraycopy(bad, 0, line, prefix.length, bad.length);
            System.arraycopy("\"]}".getBytes(StandardCharsets.US_ASCII), 0, line, prefix.length + bad.length, 3);
            BitsException e = assertThrows(BitsException.class, () -> RequestCodec.decode(line, line.length));
            assertEquals(HResult.E_INVALIDARG, e.hresult());
            assertTrue(e.detail().contains("UTF-8"), e.detail());
        }
    }

    @Test
    void anUnknownFieldIsRefusedNotIgnored() {
        refused("{\"op\":\"status\",\"verbose\":true}", "'verbose'");
        refused("{\"op\":\"submit\",\"files\":[{\"remote\":\"r\",\"local\":\"/l\"}],\"expectedSha256\":[\"00\"]}", "'expectedSha256'");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"credential\":\"u\"}}", "'credential'");
        refused("{\"op\":\"submit\",\"files\":[{\"remote\":\"r\",\"local\":\"/l\",\"sha256\":\"00\"}]}", "'sha256'");
        refused("{\"op\":\"submit\",\"defaultName\":\"x\",\"files\":[{\"remote\":\"r\",\"local\":\"/l\"}]}", "'defaultName'");
    }

    @Test
    void aNameTwiceInOneObjectIsRefused() {
        refused("{\"op\":\"get\",\"op\":\"stop\"}", "");
        refused("{\"op\":\"set\",\"job\":\"j\",\"properties\":{\"priority\":\"Low\",\"priority\":\"High\"}}", "");
    }

    @Test
    void whatIsNotOneRequestObjectIsRefused() {
        refused("", "JSON");
        refused("[]", "JSON object");
        refused("{\"op\":\"status\"} {}", "JSON");
        refused("{}", "'op'");
        refused("{\"op\":\"format-disk\"}", "unknown request");
        refused("{\"op\":\"resume\"}", "'job'");
        refused("{\"op\":\"set\",\"job\":\"j\"}", "'properties'");
        refused("{\"op\":\"wait\",\"job\":\"j\"}", "'state'");
        refused("{\"op\":\"wait\",\"job\":\"j\",\"state\":\"Sleeping\"}", "'state'");
        refused("{\"op\":\"wait\",\"job\":\"j\",\"state\":\"Queued\",\"timeoutMillis\":-1}", "'timeoutMillis'");
        byte[] big = new byte[RequestCodec.MAX_LINE_BYTES + 1];
        assertEquals(HResult.E_INVALIDARG, assertThrows(BitsException.class, () -> RequestCodec.decode(big, big.length)).hresult());
    }

    @Test
    void theOnDemandRequestsNeedTheirFields() {
        refused("{\"op\":\"requestFileRanges\",\"job\":\"j\",\"index\":0}", "'ranges'");
        refused("{\"op\":\"requestFileRanges\",\"job\":\"j\",\"index\":0,\"ranges\":[]}", "'ranges'");
        refused("{\"op\":\"updateDownloadPosition\",\"job\":\"j\",\"offset\":5}", "'index'");
        refused("{\"op\":\"updateDownloadPosition\",\"job\":\"j\",\"index\":0}", "'offset'");
    }

    @Test
    void aSubmitWithoutFilesIsEmpty() {
        BitsException e = assertThrows(BitsException.class, () -> RequestCodec.decode("{\"op\":\"submit\",\"files\":[]}"));
        assertEquals(HResult.BG_E_EMPTY, e.hresult());
    }

    @Test
    void aWaitIsCappedAtTenSeconds() {
        Request.Wait w = (Request.Wait) RequestCodec.decode("{\"op\":\"wait\",\"job\":\"j\",\"state\":\"Queued\",\"timeoutMillis\":3600000}");
        assertEquals(Request.Wait.MAX_TIMEOUT, w.timeout());
    }

    private static void refused(String line, String needle) {
        BitsException e = assertThrows(BitsException.class, () -> RequestCodec.decode(line), line);
        assertEquals(HResult.E_INVALIDARG, e.hresult(), line + " -> " + e.detail());
        assertTrue(e.detail().contains(needle), line + " -> " + e.detail());
    }
}
