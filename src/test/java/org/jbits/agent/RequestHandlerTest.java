package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.BitsManager;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.JobType;
import org.junit.jupiter.api.Test;

/** The agent's request handling against a mocked manager: no transfers here, only the request logic. */
class RequestHandlerTest {
    private final BitsManager bits = mock(BitsManager.class);
    private final RequestHandler handler = new RequestHandler(bits);

    /** A request line as the agent takes it: decoded strictly, then handled; a refused line is its error reply. */
    private ObjectNode handle(ObjectNode request) {
        try {
            return handler.handle(RequestCodec.decode(request.toString()), new Caller(0, "root"));
        } catch (BitsException refused) {
            return Protocol.error(refused);
        }
    }

    private static BitsJob job(String name) {
        BitsJob j = mock(BitsJob.class);
        when(j.displayName()).thenReturn(name);
        when(j.id()).thenReturn(UUID.randomUUID());
        // AddFileSet's default adds the files one by one, which is what these tests look at.
        doCallRealMethod().when(j).addFileSet(any());
        return j;
    }

    @Test
    void aBackendWithoutANetworkCostCallAnswersENotImpl() {
        // A manager that keeps BitsManager's default, as the native backend (Windows' BITS) does.
        BitsManager nativeLike = mock(BitsManager.class, org.mockito.Mockito.CALLS_REAL_METHODS);
        doThrow(new UnsupportedOperationException()).when(nativeLike).jobs();
        when(nativeLike.backendName()).thenReturn("native");
        RequestHandler h = new RequestHandler(nativeLike);
        for (Request r : List.of(new Request.Network(), new Request.NetworkOverride(org.jbits.CostState.ROAMING))) {
            ObjectNode reply = h.handle(r, new Caller(0, "root"));
            assertEquals("E_NOTIMPL", reply.path("error").asText(), reply.toString());
            assertFalse(reply.path("message").asText().contains("\n"));
            assertTrue(reply.path("message").asText().startsWith("the native backend "), reply.toString());
        }
    }

    @Test
    void networkRepliesCarryTheStatusWithWhatDetectionSaysBeneathAnOverride() {
        java.time.Instant t = java.time.Instant.parse("2026-12-01T10:00:00Z");
        org.jbits.NetworkStatus detected = new org.jbits.NetworkStatus(org.jbits.CostState.CAPPED,
                org.jbits.CostSource.NETWORK_MANAGER, t, "Metered: YES (1)");
        when(bits.overrideNetworkCost(org.jbits.CostState.ROAMING)).thenReturn(new org.jbits.NetworkStatus(
                org.jbits.CostState.ROAMING, org.jbits.CostSource.OVERRIDE, t, "set by an administrator", detected));
        ObjectNode n = (ObjectNode) handle(RequestCodec.encode(new Request.NetworkOverride(org.jbits.CostState.ROAMING)))
                .path("network");
        assertEquals("Roaming", n.path("costState").asText());
        assertEquals("BITS_COST_STATE_ROAMING", n.path("costStateName").asText());
        assertEquals("0x00000080", n.path("costStateBit").asText());
        assertEquals("override", n.path("source").asText());
        assertEquals("2026-12-01T10:00:00Z", n.path("changed").asText());
        assertEquals("NetworkManager", n.path("detected").path("source").asText());
        assertEquals("Capped", n.path("detected").path("costState").asText());
        assertTrue(n.path("detected").path("detected").isNull());
    }

    @Test
    void resolvesAJobByGuidWithOrWithoutBraces() {
        BitsJob j = job("a");
        UUID id = UUID.randomUUID();
        when(bits.getJob(id)).thenReturn(j);
        assertSame(j, handler.resolve(id.toString()));
        assertSame(j, handler.resolve("{" + id + "}"));
    }

    @Test
    void resolvesAUniqueDisplayNameAndRefusesAnAmbiguousOne() {
        BitsJob a = job("nightly");
        BitsJob b = job("nightly");
        BitsJob c = job("weekly");
        when(bits.jobs()).thenReturn(List.of(a, b, c));
        assertSame(c, handler.resolve("weekly"));
        BitsException e = assertThrows(BitsException.class, () -> handler.resolve("nightly"));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        BitsException missing = assertThrows(BitsException.class, () -> handler.resolve("monthly"));
        assertEquals(HResult.BG_E_NOT_FOUND, missing.hresult());
    }

    @Test
    void aSubmitWhoseFileIsRejectedCancelsTheHalfMadeJob() {
        BitsJob j = job("x");
        when(bits.createJob(anyString(), any())).thenReturn(j);
        doThrow(new BitsException(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, "no gopher")).when(j).addFile(anyString(), anyString());
        ObjectNode req = Json.object().put("op", "submit").put("type", "Download");
        req.putArray("files").addObject().put("remote", "gopher://h/f").put("local", "/tmp/f");
        ObjectNode reply = handle(req);
        assertFalse(reply.path("ok").asBoolean());
        assertEquals(HResult.BG_E_PROTOCOL_NOT_AVAILABLE, reply.path("hresult").asInt());
        assertEquals("BG_E_PROTOCOL_NOT_AVAILABLE", reply.path("error").asText());
        verify(j).cancel();
        verify(j, never()).resume();
    }

    @Test
    void aSubmitWithABadPropertyCreatesNothing() {
        ObjectNode req = Json.object().put("op", "submit");
        req.putObject("properties").put("priority", "urgent");
        req.putArray("files").addObject().put("remote", "http://h/f").put("local", "/tmp/f");
        ObjectNode reply = handle(req);
        assertEquals(HResult.E_INVALIDARG, reply.path("hresult").asInt());
        verify(bits, never()).createJob(anyString(), any());
    }

    @Test
    void submitAppliesPropertiesAddsFilesAndResumes() {
        BitsJob j = job("n");
        when(bits.createJob("n", JobType.DOWNLOAD)).thenReturn(j);
        when(j.proxySettings()).thenReturn(org.jbits.ProxySettings.DEFAULT);
        ObjectNode req = Json.object().put("op", "submit");
        req.putObject("properties").put("displayName", "n").put("priority", "Low").put("retryInterval", 30);
        req.putArray("files").addObject().put("remote", "http://h/f").put("local", "/tmp/f");
        // The reply's job object reads a mocked job (nulls and zeros); only the calls on the job matter here.
        handle(req);
        verify(j).setPriority(JobPriority.LOW);
        verify(j).setMinimumRetryDelay(30);
        verify(j).addFile("http://h/f", "/tmp/f");
        verify(j).resume();
    }

    @Test
    void anUnknownRequestIsRefused() {
        ObjectNode reply = handle(Json.object().put("op", "format-disk"));
        assertEquals(HResult.E_INVALIDARG, reply.path("hresult").asInt());
    }
}
