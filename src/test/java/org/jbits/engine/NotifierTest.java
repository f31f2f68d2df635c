package org.jbits.engine;

import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import java.util.Set;
import org.jbits.BitsJob;
import org.jbits.JobListener;
import org.jbits.NotifyFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/**
 * Event delivery to listeners, filtered by the job's notify flags. The listener is a Mockito mock: it is the
 * application's code, not part of any transfer.
 */
class NotifierTest {
    private static final long WAIT_MS = 2_000;
    private final Notifier notifier = new Notifier();
    private final BitsJob job = mock(BitsJob.class);

    @AfterEach
    void close() {
        notifier.close();
    }

    private static int mask(NotifyFlag... flags) {
        return NotifyFlag.toMask(Set.of(flags));
    }

    /** Events are delivered in order on one thread: once this one arrived, every earlier one has too. */
    private void drain(JobListener l) {
        notifier.fire(mask(NotifyFlag.JOB_MODIFICATION), NotifyFlag.JOB_MODIFICATION, x -> x.jobModification(null));
        verify(l, timeout(WAIT_MS)).jobModification(null);
    }

    @Test
    void deliversEventsWhoseFlagIsSet() {
        JobListener l = mock(JobListener.class);
        notifier.add(l);
        notifier.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        verify(l, timeout(WAIT_MS)).jobTransferred(job);
    }

    @Test
    void dropsEventsWhoseFlagIsNotSet() {
        JobListener l = mock(JobListener.class);
        notifier.add(l);
        notifier.fire(mask(NotifyFlag.JOB_ERROR), NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        drain(l);
        verify(l, never()).jobTransferred(job);
    }

    @Test
    void disableSilencesEverything() {
        JobListener l = mock(JobListener.class);
        notifier.add(l);
        int flags = mask(NotifyFlag.DISABLE, NotifyFlag.JOB_TRANSFERRED, NotifyFlag.JOB_ERROR);
        notifier.fire(flags, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        notifier.fire(flags, NotifyFlag.JOB_ERROR, x -> x.jobError(job, null));
        drain(l);
        verify(l, never()).jobTransferred(job);
        verify(l, never()).jobError(job, null);
    }

    @Test
    void aFailingListenerDoesNotStopTheOthersOrLaterEvents() {
        JobListener bad = mock(JobListener.class);
        JobListener good = mock(JobListener.class);
        doThrow(new IllegalStateException("listener bug")).when(bad).jobTransferred(job);
        notifier.add(bad);
        notifier.add(good);
        notifier.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        notifier.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_ERROR, x -> x.jobError(job, null));
        InOrder order = inOrder(good);
        order.verify(good, timeout(WAIT_MS)).jobTransferred(job);
        order.verify(good, timeout(WAIT_MS)).jobError(job, null);
        verify(bad, timeout(WAIT_MS)).jobError(job, null);
    }

    @Test
    void removedListenersHearNothing() {
        JobListener removed = mock(JobListener.class);
        JobListener kept = mock(JobListener.class);
        notifier.add(removed);
        notifier.add(kept);
        notifier.remove(removed);
        notifier.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        drain(kept);
        verify(kept).jobTransferred(job);
        verifyNoInteractions(removed);
    }
}
