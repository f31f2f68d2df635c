package org.jbits.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Set;
import org.jbits.BitsException;
import org.jbits.BitsJob;
import org.jbits.HResult;
import org.jbits.JobPriority;
import org.jbits.NotifyFlag;
import org.jbits.ProxySettings;
import org.jbits.ProxyUsage;
import org.jbits.TransferPolicy;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** set is all or nothing: every value is checked before the first is set, and a refusal midway puts back what was set. */
class PropertyUpdateTest {
    private final BitsJob job = mock(BitsJob.class);

    private static JobProperties props(String description, JobPriority priority, Long retryInterval) {
        return new JobProperties(null, description, priority, retryInterval, null, null, null, null, null, null, null);
    }

    @Test
    void aValueBitsWouldRefuseChangesNothing() {
        BitsException e = assertThrows(BitsException.class,
                () -> PropertyUpdate.apply(job, props("new", null, 0x1_0000_0000L)));
        assertEquals(HResult.E_INVALIDARG, e.hresult());
        verify(job, never()).setDescription(anyString());
        verify(job, never()).setMinimumRetryDelay(anyLong());

        assertEquals(HResult.BG_E_STRING_TOO_LONG, assertThrows(BitsException.class,
                () -> PropertyUpdate.apply(job, new JobProperties("n".repeat(257), "new", null, null, null, null, null,
                        null, null, null, null))).hresult());
        verify(job, never()).setDisplayName(anyString());
        verify(job, never()).setDescription(anyString());
    }

    @Test
    void aRefusalMidwayPutsBackWhatWasAlreadySet() {
        when(job.description()).thenReturn("old");
        when(job.priority()).thenReturn(JobPriority.NORMAL);
        when(job.minimumRetryDelay()).thenReturn(600L);
        BitsException cancelled = new BitsException(HResult.BG_E_INVALID_STATE, "the job was cancelled meanwhile");
        doThrow(cancelled).when(job).setMinimumRetryDelay(60);

        BitsException e = assertThrows(BitsException.class,
                () -> PropertyUpdate.apply(job, props("new", JobPriority.HIGH, 60L)));
        assertSame(cancelled, e);
        InOrder order = inOrder(job);
        order.verify(job).setDescription("new");
        order.verify(job).setPriority(JobPriority.HIGH);
        order.verify(job).setMinimumRetryDelay(60);
        order.verify(job).setPriority(JobPriority.NORMAL);
        order.verify(job).setDescription("old");
    }

    @Test
    void aValueThatCannotBePutBackIsReportedWithTheFailure() {
        when(job.description()).thenReturn("old");
        doThrow(new BitsException(HResult.BG_E_INVALID_STATE, "cancelled")).when(job).setPriority(any());
        doThrow(new BitsException(HResult.E_FAIL, "store")).when(job).setDescription("old");
        BitsException e = assertThrows(BitsException.class, () -> PropertyUpdate.apply(job, props("new", JobPriority.LOW, null)));
        assertEquals(HResult.BG_E_INVALID_STATE, e.hresult());
        assertEquals(1, e.getSuppressed().length);
    }

    @Test
    void theProxyIsCheckedAsItWouldBeAfterTheChange() {
        when(job.proxySettings()).thenReturn(new ProxySettings(ProxyUsage.OVERRIDE, List.of("p:8080"), List.of("<local>")));
        // Only the bypass list changes: the current proxy list is kept, so override stays valid.
        PropertyUpdate.apply(job, new JobProperties(null, null, null, null, null, null, null, null, null,
                List.of("*.lan"), null));
        verify(job).setProxySettings(new ProxySettings(ProxyUsage.OVERRIDE, List.of("p:8080"), List.of("*.lan")));
        // A usage other than override given alone clears the lists, which only override may have.
        PropertyUpdate.apply(job, new JobProperties(null, null, null, null, null, null, null, ProxyUsage.NO_PROXY,
                null, null, null));
        verify(job).setProxySettings(new ProxySettings(ProxyUsage.NO_PROXY, List.of(), List.of()));
        // Override without any proxy list is refused before anything is set.
        when(job.proxySettings()).thenReturn(ProxySettings.DEFAULT);
        assertEquals(HResult.E_INVALIDARG, assertThrows(BitsException.class, () -> PropertyUpdate.apply(job,
                new JobProperties(null, "d", null, null, null, null, null, ProxyUsage.OVERRIDE, null, null, null))).hresult());
        verify(job, never()).setDescription("d");
    }

    @Test
    void everyGivenPropertyIsSet() {
        when(job.transferPolicyFlags()).thenReturn(TransferPolicy.ALWAYS.flags());
        when(job.proxySettings()).thenReturn(ProxySettings.DEFAULT);
        PropertyUpdate.apply(job, new JobProperties("n", "d", JobPriority.LOW, 30L, 3600L, 0L,
                TransferPolicy.STANDARD, ProxyUsage.OVERRIDE, List.of("p:1"), List.of(), Set.of(NotifyFlag.JOB_ERROR)));
        verify(job).setDisplayName("n");
        verify(job).setDescription("d");
        verify(job).setPriority(JobPriority.LOW);
        verify(job).setMinimumRetryDelay(30);
        verify(job).setNoProgressTimeout(3600);
        verify(job).setMaximumDownloadTime(0);
        verify(job).setTransferPolicy(TransferPolicy.STANDARD);
        verify(job).setNotifyFlags(Set.of(NotifyFlag.JOB_ERROR));
        verify(job).setProxySettings(new ProxySettings(ProxyUsage.OVERRIDE, List.of("p:1"), List.of()));
    }

    @Test
    void propertiesNotGivenAreTakenFromDefaults() {
        JobProperties given = props("mine", null, null);
        JobProperties merged = given.orElse(props("default", JobPriority.FOREGROUND, null));
        assertEquals("mine", merged.description());
        assertEquals(JobPriority.FOREGROUND, merged.priority());
        assertEquals(true, JobProperties.NONE.isEmpty());
        assertEquals(false, given.isEmpty());
    }
}
