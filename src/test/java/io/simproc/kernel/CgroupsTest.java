package io.simproc.kernel;

import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cgroup v2 core (kernel/cgroup/cgroup.c): mkdir, rmdir, migration, subtree_control and threaded mode with the
 * kernel's errnos, the populated state and counters, dying cgroups and csses, the controller callbacks — each rule
 * with a case that fails when the rule breaks. The invariants (CgroupDebug) run after every operation.
 */
class CgroupsTest {
    private static final Credentials USER = new Credentials(1000, 1000, 0);

    private Kernel k;
    private Cgroups cg;

    @BeforeEach
    void boot() {
        k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 256M\n"), 1);
        k.setDebugChecks(true);
        cg = k.cgroups();
    }

    private <T> T w(java.util.function.Supplier<T> body) {
        T r = k.mutate(body);
        k.checkInvariants();
        return r;
    }

    private Cgroup mkdir(Cgroup parent, String name) {
        assertEquals(0, w(() -> cg.mkdir(parent, name, 0755, Credentials.ROOT)), "mkdir " + name);
        return parent.child(name);
    }

    private Task process() {
        return w(() -> k.processes().fork(k.tasks().get(1)));
    }

    private int move(Cgroup dst, Task t) {
        return w(() -> cg.migrate().procsWrite(dst, t.pid(), true, Credentials.ROOT, null));
    }

    private FakeController register() {
        FakeController f = new FakeController();
        w(() -> cg.register(f));
        return f;
    }

    private int enable(Cgroup c, FakeController f, boolean on) {
        int bit = 1 << cg.ssid(f);
        return w(() -> cg.control().subtreeControlWrite(c, on ? bit : 0, on ? 0 : bit));
    }

    @Test
    void everyTaskStartsInTheRootAndForksStayWithTheirParent() {
        for (Task t : k.tasks().all()) {
            assertSame(cg.root(), t.cgroup());
        }
        Cgroup a = mkdir(cg.root(), "a");
        Task p = process();
        assertEquals(0, move(a, p));
        Task child = w(() -> k.processes().fork(p));
        Task thread = w(() -> k.processes().newThread(p));
        assertSame(a, child.cgroup());
        assertSame(a, thread.cgroup());
        assertEquals(List.of(p.pid(), child.pid()), a.procs());
        assertEquals(List.of(p.pid(), child.pid(), thread.pid()), a.threads(), "in the order they joined");
        assertEquals("/a", a.path());
    }

    @Test
    void mkdirRefusesAnExistingNameANewlineAndARemovedParent() {
        Cgroup a = mkdir(cg.root(), "a");
        assertEquals(-Errno.EEXIST, w(() -> cg.mkdir(cg.root(), "a", 0755, Credentials.ROOT)));
        assertEquals(-Errno.EINVAL, w(() -> cg.mkdir(cg.root(), "b\nc", 0755, Credentials.ROOT)));
        assertEquals(0, w(() -> cg.rmdir(a)));
        assertEquals(-Errno.ENODEV, w(() -> cg.mkdir(a, "x", 0755, Credentials.ROOT)));
        assertNull(cg.lookup("/a"));
    }

    @Test
    void maxDepthAndMaxDescendantsOfAnyAncestorLimitMkdir() {
        Cgroup a = mkdir(cg.root(), "a");
        a.maxDepth = 1;
        Cgroup b = mkdir(a, "b");
        assertEquals(-Errno.EAGAIN, w(() -> cg.mkdir(b, "c", 0755, Credentials.ROOT)), "depth 2 below a");
        a.maxDepth = Cgroup.MAX;
        assertEquals(0, w(() -> cg.mkdir(b, "c", 0755, Credentials.ROOT)));
        a.maxDescendants = 2;
        assertEquals(-Errno.EAGAIN, w(() -> cg.mkdir(a, "d", 0755, Credentials.ROOT)), "a has b and b/c");
        assertEquals(0, w(() -> cg.rmdir(b.child("c"))));
        assertEquals(0, w(() -> cg.mkdir(a, "d", 0755, Credentials.ROOT)), "a removed descendant no longer counts");
        cg.root().maxDepth = 0;
        assertEquals(-Errno.EAGAIN, w(() -> cg.mkdir(cg.root(), "e", 0755, Credentials.ROOT)));
    }

    @Test
    void rmdirRefusesAPopulatedCgroupOneWithChildrenAndTheRoot() {
        Cgroup a = mkdir(cg.root(), "a");
        Cgroup b = mkdir(a, "b");
        Task p = process();
        assertEquals(0, move(b, p));
        assertTrue(a.isPopulated() && b.isPopulated());
        assertEquals(-Errno.EBUSY, w(() -> cg.rmdir(b)), "populated");
        assertEquals(-Errno.EBUSY, w(() -> cg.rmdir(a)), "a live child");
        assertEquals(-Errno.EBUSY, w(() -> cg.rmdir(cg.root())));
        assertEquals(0, move(cg.root(), p));
        assertFalse(a.isPopulated());
        assertEquals(0, w(() -> cg.rmdir(b)));
        assertEquals(0, w(() -> cg.rmdir(a)));
        assertEquals(0, cg.root().nrDescendants());
        assertEquals(0, cg.root().nrDyingDescendants(), "nothing refers to them: released at once");
    }

    @Test
    void aZombieKeepsItsRemovedCgroupDyingUntilReaped() {
        Cgroup a = mkdir(cg.root(), "a");
        Task parent = process();
        Task child = w(() -> k.processes().fork(parent));
        assertEquals(0, move(a, child));
        w(() -> {
            k.processes().exit(child, 0);
            return null;
        });
        assertEquals(Task.State.ZOMBIE, child.state(), "its parent has not reaped it");
        assertFalse(a.isPopulated(), "a zombie does not populate");
        assertEquals(List.of(), a.procs());
        assertEquals(0, w(() -> cg.rmdir(a)));
        assertEquals(1, cg.root().nrDyingDescendants());
        assertFalse(child.cgroup().isOnline());
        w(() -> {
            k.processes().reap(child);
            return null;
        });
        assertEquals(0, cg.root().nrDyingDescendants());
        assertTrue(a.released);
    }

    @Test
    void procsWriteFindsTheTaskChecksItAndMovesTheWholeThreadGroup() {
        Cgroup a = mkdir(cg.root(), "a");
        Task p = process();
        Task thread = w(() -> k.processes().newThread(p));
        assertEquals(-Errno.ESRCH, w(() -> cg.migrate().procsWrite(a, 31999, true, Credentials.ROOT, null)));
        assertEquals(0, w(() -> cg.migrate().procsWrite(a, thread.pid(), true, Credentials.ROOT, null)));
        assertSame(a, p.cgroup(), "the leader of the thread written");
        assertSame(a, thread.cgroup());
        assertEquals(0, w(() -> cg.migrate().procsWrite(a, 0, true, Credentials.ROOT, p)), "0 is the writer");
        Task pinned = k.tasks().all().stream().filter(t -> (t.flags() & Task.PF_NO_SETAFFINITY) != 0)
                .findFirst().orElseThrow();
        assertEquals(-Errno.EINVAL, move(a, pinned), "a per-CPU kernel thread");
        assertEquals(-Errno.EINVAL, move(a, k.tasks().get(KernelThreads.KTHREADD_PID)), "kthreadd");
        assertSame(cg.root(), pinned.cgroup());
        Cgroup b = mkdir(cg.root(), "b");
        assertEquals(0, w(() -> cg.rmdir(b)));
        assertEquals(-Errno.ENODEV, move(b, p));
    }

    @Test
    void aUserMovesOnlyWhereItOwnsTheCommonAncestor() {
        Cgroup mine = w(() -> {
            cg.mkdir(cg.root(), "u", 0755, USER);
            return cg.root().child("u");
        });
        assertEquals(1000, mine.uid());
        Cgroup a = mkdir(mine, "a");
        Cgroup b = mkdir(mine, "b");
        Task p = process();
        assertEquals(0, move(a, p));
        assertEquals(0, w(() -> cg.migrate().procsWrite(b, p.pid(), true, USER, null)), "common ancestor u");
        Cgroup other = mkdir(cg.root(), "other");
        assertEquals(-Errno.EACCES, w(() -> cg.migrate().procsWrite(other, p.pid(), true, USER, null)),
                "common ancestor is the root, owned by root");
        assertSame(b, p.cgroup());
    }

    @Test
    void noInternalProcessesBelowTheRoot() {
        FakeController f = register();
        Cgroup a = mkdir(cg.root(), "a");
        Cgroup b = mkdir(a, "b");
        assertEquals(0, enable(cg.root(), f, true), "the root may hold processes and enable controllers");
        assertEquals(0, enable(a, f, true));
        Task p = process();
        assertEquals(-Errno.EBUSY, move(a, p), "a enables misc for its children");
        assertEquals(0, move(b, p));
        assertEquals(0, move(cg.root(), p), "the root is exempt");
        assertEquals(0, move(b, p));
        assertEquals(0, enable(a, f, false));
        assertEquals(0, move(a, p), "nothing enabled any more");
        assertEquals(-Errno.EBUSY, enable(a, f, true), "a holds a process");
    }

    @Test
    void subtreeControlEnablesOnlyWhatTheParentGivesAndDisablesOnlyWhatNoChildUses() {
        FakeController f = register();
        Cgroup a = mkdir(cg.root(), "a");
        Cgroup b = mkdir(a, "b");
        assertEquals(-Errno.ENOENT, enable(a, f, true), "the root does not give misc to a");
        assertEquals(0, enable(cg.root(), f, true));
        assertEquals(0, enable(a, f, true));
        assertEquals(0, enable(b, f, true), "b has no children yet; its own children would get it");
        assertEquals(-Errno.EBUSY, enable(a, f, false), "b enables it in its subtree_control");
        assertEquals(-Errno.EBUSY, enable(cg.root(), f, false));
        assertEquals(0, enable(b, f, false));
        assertEquals(0, enable(a, f, false));
        assertEquals(0, enable(a, f, false), "disabling what is off is nothing");
        assertEquals(0, enable(cg.root(), f, false));
    }

    @Test
    void aControllersCssFollowsSubtreeControlAndTasksFollowTheirEffectiveCss() {
        FakeController f = register();
        CgroupSubsysState<FakeController.State> rootCss = cg.root().css(f);
        Cgroup a = mkdir(cg.root(), "a");
        Cgroup b = mkdir(a, "b");
        Task p = process();
        assertEquals(0, move(b, p));
        assertNull(a.css(f));
        assertSame(rootCss, cg.taskCss(p, f), "nearest css up is the root's");
        f.log.clear();
        assertEquals(0, enable(cg.root(), f, true));
        assertEquals(List.of("alloc", "online", "can_attach 1", "attach 1"), f.log);
        assertSame(a.css(f), cg.taskCss(p, f), "a's css, b having none");
        assertSame(rootCss.data(), f.attached.get(0).from());
        assertSame(a.css(f).data(), f.attached.get(0).to());
        assertSame(rootCss.data(), a.css(f).data().parent);
        assertEquals(1, cg.root().css(f).nrDescendants);
        CgroupSubsysState<FakeController.State> aCss = a.css(f);
        f.log.clear();
        assertEquals(0, enable(cg.root(), f, false));
        assertEquals(List.of("can_attach 1", "attach 1", "offline", "released", "free"), f.log);
        assertSame(rootCss, cg.taskCss(p, f));
        assertTrue((aCss.flags & CgroupSubsysState.CSS_RELEASED) != 0);
    }

    @Test
    void aRefusedMigrationMovesNothingAndCancelsTheControllersAskedBefore() {
        FakeController f = register();
        Cgroup a = mkdir(cg.root(), "a");
        assertEquals(0, enable(cg.root(), f, true));
        Task p = process();
        f.refuseAttach = -Errno.ENOMEM;
        f.log.clear();
        assertEquals(-Errno.ENOMEM, move(a, p));
        assertSame(cg.root(), p.cgroup());
        assertEquals(List.of("can_attach 1"), f.log);
        f.refuseAttach = 0;
        assertEquals(0, move(a, p));
        Cgroup b = mkdir(a, "b");
        assertEquals(0, move(b, p));
        f.refuseAttach = -Errno.EBUSY;
        assertEquals(-Errno.EBUSY, enable(a, f, true), "moving b's task to b's new css is refused");
        assertEquals(0, a.subtreeControl(), "the change is undone");
        assertNull(b.css(f), "and the css made for it killed");
        assertSame(a.css(f), cg.taskCss(p, f));
    }

    @Test
    void aPinnedCssKeepsItsRemovedCgroupDying() {
        FakeController f = register();
        Cgroup a = mkdir(cg.root(), "a");
        assertEquals(0, enable(cg.root(), f, true));
        CgroupSubsysState<FakeController.State> css = a.css(f);
        w(() -> {
            css.get();
            return null;
        });
        assertEquals(0, w(() -> cg.rmdir(a)));
        assertEquals(1, cg.root().nrDyingDescendants());
        assertEquals(1, cg.root().nrDyingSubsys(cg.ssid(f)));
        assertEquals(1, cg.root().css(f).nrDescendants + 1, "only the root's own css is live");
        assertTrue(css.dying() && !css.online());
        w(() -> {
            css.put();
            return null;
        });
        assertEquals(0, cg.root().nrDyingDescendants());
        assertEquals(0, cg.root().nrDyingSubsys(cg.ssid(f)));
        assertThrows(IllegalStateException.class, css::put, "a put without a get");
    }

    @Test
    void threadedCgroupsShareTheirDomainAndOnlyThreadsMoveInside() {
        Cgroup dom = mkdir(cg.root(), "dom");
        Cgroup t1 = mkdir(dom, "t1");
        Cgroup t2 = mkdir(dom, "t2");
        assertEquals("domain", cg.control().type(t1));
        Task p = process();
        Task thread = w(() -> k.processes().newThread(p));
        assertEquals(0, move(t2, p));
        assertEquals(-Errno.EOPNOTSUPP, w(() -> cg.control().enableThreaded(t2)), "populated");
        assertEquals(0, move(dom, p));
        assertEquals(0, w(() -> cg.control().enableThreaded(t1)));
        assertEquals("threaded", cg.control().type(t1));
        assertEquals("domain threaded", cg.control().type(dom));
        assertEquals("domain invalid", cg.control().type(mkdir(t1, "x")), "a domain below a threaded cgroup");
        assertEquals(0, w(() -> cg.migrate().procsWrite(t1, thread.pid(), false, Credentials.ROOT, null)));
        assertSame(t1, thread.cgroup());
        assertSame(dom, p.cgroup());
        assertEquals(List.of(p.pid()), dom.procs(), "the process shows in its domain's cgroup.procs");
        assertEquals(List.of(thread.pid()), t1.threads());
        assertEquals(-Errno.EOPNOTSUPP, w(() -> cg.migrate().procsWrite(t2, thread.pid(), false, Credentials.ROOT,
                null)), "t2 is another resource domain");
        assertEquals(-Errno.EOPNOTSUPP, w(() -> cg.migrate().procsWrite(t1.child("x"), p.pid(), true,
                Credentials.ROOT, null)), "an invalid domain hosts nothing");
    }

    @Test
    void killSignalsEveryProcessOfTheSubtree() {
        Cgroup a = mkdir(cg.root(), "a");
        Cgroup b = mkdir(a, "b");
        Task p = process();
        Task q = process();
        assertEquals(0, move(a, p));
        assertEquals(0, move(b, q));
        w(() -> {
            cg.tasks().kill(a);
            return null;
        });
        assertFalse(a.isPopulated());
        assertTrue(k.tasks().get(p.pid()) == null || k.tasks().get(p.pid()).state() == Task.State.ZOMBIE);
        assertEquals(0, w(() -> cg.rmdir(b)));
    }

    @Test
    void theInvariantsCatchACounterThatDisagreesWithTheTree() {
        Cgroup a = mkdir(cg.root(), "a");
        a.nrDescendants = 3;
        IllegalStateException e = assertThrows(IllegalStateException.class, k::checkInvariants);
        assertTrue(e.getMessage().contains("nr_descendants"), e.getMessage());
        a.nrDescendants = 0;
        Task p = process();
        cg.root().tasks.remove(p);
        e = assertThrows(IllegalStateException.class, k::checkInvariants);
        assertTrue(e.getMessage().contains("is in 0 cgroups"), e.getMessage());
        cg.root().tasks.add(p);
        a.tasks.add(p);
        e = assertThrows(IllegalStateException.class, k::checkInvariants);
        assertTrue(e.getMessage().contains("is in 2 cgroups"), e.getMessage());
        a.tasks.remove(p);
        a.nrPopulatedDomainChildren = 1;
        e = assertThrows(IllegalStateException.class, k::checkInvariants);
        assertTrue(e.getMessage().contains("populated"), e.getMessage());
    }
}
