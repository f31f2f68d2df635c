package org.jbits.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jbits.BitsJob;
import org.jbits.JobListener;
import org.jbits.NotifyFlag;
import org.jbits.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/**
 * Event delivery to listeners, filtered by the job's notify flags, on the dispatcher's own thread. The listener is
 * a Mockito mock: it is the application's code, not part of any backend.
 */
class JobEventDispatcherTest {
    private static final long WAIT_MS = 2_000;
    private final JobEventDispatcher events = new JobEventDispatcher("jbits-test-events");
    private final BitsJob job = mock(BitsJob.class);

    @AfterEach
    void close() {
        events.close();
    }

    private static int mask(NotifyFlag... flags) {
        return NotifyFlag.toMask(Set.of(flags));
    }

    /** Events are delivered in order on one thread: once this one arrived, every earlier one has too. */
    private void drain(JobListener l) {
        events.fire(mask(NotifyFlag.JOB_MODIFICATION), NotifyFlag.JOB_MODIFICATION, x -> x.jobModification(null));
        verify(l, timeout(WAIT_MS)).jobModification(null);
    }

    @Test
    void deliversEventsWhoseFlagIsSet() {
        JobListener l = mock(JobListener.class);
        events.addListener(l);
        events.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        verify(l, timeout(WAIT_MS)).jobTransferred(job);
    }

    @Test
    void dropsEventsWhoseFlagIsNotSet() {
        JobListener l = mock(JobListener.class);
        events.addListener(l);
        events.fire(mask(NotifyFlag.JOB_ERROR), NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        drain(l);
        verify(l, never()).jobTransferred(job);
    }

    @Test
    void disableSilencesEverything() {
        JobListener l = mock(JobListener.class);
        events.addListener(l);
        int flags = mask(NotifyFlag.DISABLE, NotifyFlag.JOB_TRANSFERRED, NotifyFlag.JOB_ERROR);
        events.fire(flags, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        events.fire(flags, NotifyFlag.JOB_ERROR, x -> x.jobError(job, null));
        drain(l);
        verify(l, never()).jobTransferred(job);
        verify(l, never()).jobError(job, null);
    }

    @Test
    void deliverIgnoresTheFlagsForEventsTheirSourceFilteredAlready() {
        JobListener l = mock(JobListener.class);
        events.addListener(l);
        events.deliver(x -> x.fileTransferred(job, null));
        verify(l, timeout(WAIT_MS)).fileTransferred(job, null);
    }

    @Test
    void aFailingListenerDoesNotStopTheOthersOrLaterEvents() {
        JobListener bad = mock(JobListener.class);
        JobListener good = mock(JobListener.class);
        doThrow(new IllegalStateException("listener bug")).when(bad).jobTransferred(job);
        doThrow(new AssertionError("a test's listener")).when(bad).jobError(job, null);
        events.addListener(bad);
        events.addListener(good);
        events.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        events.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_ERROR, x -> x.jobError(job, null));
        drain(good);
        InOrder order = inOrder(good);
        order.verify(good).jobTransferred(job);
        order.verify(good).jobError(job, null);
        verify(bad).jobError(job, null);
    }

    @Test
    void removedListenersHearNothing() {
        JobListener removed = mock(JobListener.class);
        JobListener kept = mock(JobListener.class);
        events.addListener(removed);
        events.addListener(kept);
        events.removeListener(removed);
        events.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        drain(kept);
        verify(kept).jobTransferred(job);
        verifyNoInteractions(removed);
    }

    @Test
    void listenersRunOnTheDispatchersThreadNotTheFiringOne() {
        List<String> threads = new CopyOnWriteArrayList<>();
        JobListener l = mock(JobListener.class);
        doAnswer(inv -> threads.add(Thread.currentThread().getName())).when(l).jobTransferred(job);
        events.addListener(l);
        events.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        verify(l, timeout(WAIT_MS)).jobTransferred(job);
        assertEquals(List.of("jbits-test-events"), threads);
    }

    @Test
    void hasListenersFollowsAddAndRemove() {
        JobListener l = mock(JobListener.class);
        assertFalse(events.hasListeners());
        events.addListener(l);
        assertTrue(events.hasListeners());
        events.removeListener(l);
        assertFalse(events.hasListeners());
    }

    @Test
    void closeLetsQueuedEventsArriveAndDropsLaterOnes() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        JobListener l = mock(JobListener.class);
        doAnswer(inv -> release.await(WAIT_MS, TimeUnit.MILLISECONDS)).when(l).jobModification(job);
        events.addListener(l);
        events.fire(NotifyFlag.JOB_MODIFICATION.bit(), NotifyFlag.JOB_MODIFICATION, x -> x.jobModification(job));
        events.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        Thread closer = new Thread(events::close);
        closer.start();
        Await.until(Duration.ofMillis(WAIT_MS), "close to wait for the queued events",
                () -> closer.getState() == Thread.State.TIMED_WAITING);
        verify(l, never()).jobTransferred(job);
        release.countDown();
        closer.join(WAIT_MS);
        assertFalse(closer.isAlive(), "close returned once the queue was empty");
        verify(l).jobTransferred(job);
        events.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_ERROR, x -> x.jobError(job, null));
        verify(l, never()).jobError(job, null);
    }

    @Test
    void aListenerThatClosesTheDispatcherDoesNotWaitForItself() throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        JobListener l = mock(JobListener.class);
        doAnswer(inv -> {
            events.close();
            closed.countDown();
            return null;
        }).when(l).jobTransferred(job);
        events.addListener(l);
        events.fire(NotifyFlag.DEFAULT_MASK, NotifyFlag.JOB_TRANSFERRED, x -> x.jobTransferred(job));
        assertTrue(closed.await(1, TimeUnit.SECONDS), "close on the delivery thread returned at once, not after 5 s");
    }
}
