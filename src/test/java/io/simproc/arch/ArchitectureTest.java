package io.simproc.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.simproc.kernel.ArchRuleViolations;
import io.simproc.mm.ListLinkViolation;
import io.simproc.mm.MemMap;
import io.simproc.mm.PageLists;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layering of docs/DESIGN.md, checked on the production classes of io.simproc: mm is self-contained, kernel
 * sits below proc/sysctl/fuse/cli, only fuse and cli touch jnr-fuse, the configuration reader (config) is a leaf
 * and the only reader of YAML, only PageLists links struct pages into lists, no package cycles, and the simulation
 * (mm, kernel, workload) neither reads the wall clock nor uses unseeded randomness.
 */
@AnalyzeClasses(packages = "io.simproc", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] LOGGING = {"org.slf4j..", "ch.qos.logback..", "org.apache.logging..",
        "org.apache.log4j..", "org.apache.commons.logging..", "java.util.logging.."};
    private static final String[] NATIVE_AND_CLI = {"ru.serce.jnrfuse..", "jnr..", "picocli.."};

    @ArchTest
    static final ArchRule MM_DEPENDS_ONLY_ON_MM_AND_UAPI = classes().that().resideInAPackage("io.simproc.mm..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("io.simproc.mm..", "io.simproc.block..",
                    "io.simproc.uapi..").or(resideOutsideOfPackage("io.simproc..")))
            .because("mm is the memory manager alone (and the block layer its page I/O goes to); the machine "
                    + "around it reaches it through KernelServices");

    @ArchTest
    static final ArchRule BLOCK_DEPENDS_ONLY_ON_UAPI = classes().that().resideInAPackage("io.simproc.block..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("io.simproc.block..", "io.simproc.uapi..")
                    .or(resideOutsideOfPackage("io.simproc..")))
            .because("the block layer only counts the requests mm submits");

    @ArchTest
    static final ArchRule MM_USES_NO_FUSE_CLI_OR_LOGGING = noClasses().that().resideInAPackage("io.simproc.mm..")
            .should().dependOnClassesThat().resideInAnyPackage(NATIVE_AND_CLI)
            .orShould().dependOnClassesThat().resideInAnyPackage(LOGGING);

    @ArchTest
    static final ArchRule KERNEL_IS_BELOW_THE_FILESYSTEM = noClasses().that().resideInAPackage("io.simproc.kernel..")
            .should().dependOnClassesThat().resideInAnyPackage("io.simproc.proc..", "io.simproc.sysctl..",
                    "io.simproc.fuse..", "io.simproc.cli..");

    @ArchTest
    static final ArchRule PROC_DOES_NOT_KNOW_FUSE_OR_CLI = noClasses().that().resideInAPackage("io.simproc.proc..")
            .should().dependOnClassesThat().resideInAnyPackage("io.simproc.fuse..", "io.simproc.cli..");

    @ArchTest
    static final ArchRule SYSCTL_DOES_NOT_KNOW_PROC_FUSE_OR_CLI = noClasses().that()
            .resideInAPackage("io.simproc.sysctl..")
            .should().dependOnClassesThat().resideInAnyPackage("io.simproc.proc..", "io.simproc.fuse..",
                    "io.simproc.cli..");

    @ArchTest
    static final ArchRule SCENARIOS_SIT_BETWEEN_THE_FILESYSTEM_AND_THE_COMMANDS = noClasses().that()
            .resideInAnyPackage("io.simproc.mm..", "io.simproc.kernel..", "io.simproc.workload..", "io.simproc.proc..",
                    "io.simproc.sysctl..", "io.simproc.fuse..")
            .should().dependOnClassesThat().resideInAPackage("io.simproc.scenario..")
            .orShould().dependOnClassesThat().resideInAPackage("io.simproc.cli..")
            .because("scenarios drive the machine and read its proc files; only the commands start them");

    @ArchTest
    static final ArchRule CONTROL_SITS_BELOW_THE_COMMANDS = noClasses().that()
            .resideInAnyPackage("io.simproc.mm..", "io.simproc.kernel..", "io.simproc.workload..", "io.simproc.proc..",
                    "io.simproc.sysctl..", "io.simproc.fuse..", "io.simproc.scenario..")
            .should().dependOnClassesThat().resideInAPackage("io.simproc.control..");

    @ArchTest
    static final ArchRule CONTROL_DOES_NOT_KNOW_FUSE_OR_CLI = noClasses().that()
            .resideInAPackage("io.simproc.control..")
            .should().dependOnClassesThat().resideInAnyPackage("io.simproc.fuse..", "io.simproc.cli..");

    @ArchTest
    static final ArchRule SCENARIOS_DO_NOT_KNOW_FUSE_OR_CLI = noClasses().that()
            .resideInAPackage("io.simproc.scenario..")
            .should().dependOnClassesThat().resideInAnyPackage("io.simproc.fuse..", "io.simproc.cli..");

    @ArchTest
    static final ArchRule ONLY_FUSE_AND_CLI_TOUCH_JNR = noClasses().that()
            .resideOutsideOfPackages("io.simproc.fuse..", "io.simproc.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("ru.serce.jnrfuse..", "jnr..")
            .because("nothing may cross into native code but the FUSE binding (and the commands that mount it)");

    @ArchTest
    static final ArchRule CONFIG_IS_A_LEAF = classes().that().resideInAPackage("io.simproc.config..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("io.simproc.config..")
                    .or(resideOutsideOfPackage("io.simproc..")))
            .because("machine profiles, scenarios and the program catalog share one reader that knows no simulation");

    @ArchTest
    static final ArchRule ONLY_CONFIG_READS_YAML = noClasses().that().resideOutsideOfPackage("io.simproc.config..")
            .should().dependOnClassesThat().resideInAPackage("org.yaml..")
            .because("every configuration error names file:line:col, which YamlNode guarantees");

    @ArchTest
    static final ArchRule ONLY_PLOT_DRAWS_CHARTS = noClasses().that().resideOutsideOfPackage("io.simproc.plot..")
            .should().dependOnClassesThat().resideInAnyPackage("org.jfree..")
            .because("Charts makes AWT headless and checks for fonts before JFreeChart first draws");

    /** One list implementation over the mem_map: only PageLists reads or writes a struct page's list links. */
    @ArchTest
    static final ArchRule ONLY_PAGE_LISTS_TOUCH_THE_LIST_LINKS = noClasses().that()
            .doNotHaveFullyQualifiedName(PageLists.class.getName())
            .and().doNotHaveFullyQualifiedName(MemMap.class.getName())
            .should().callMethod(MemMap.class, "next", int.class)
            .orShould().callMethod(MemMap.class, "prev", int.class)
            .orShould().callMethod(MemMap.class, "setNext", int.class, int.class)
            .orShould().callMethod(MemMap.class, "setPrev", int.class, int.class)
            .because("free areas, per-cpu lists, LRU lists and slab partial lists share PageLists and its checks");

    @ArchTest
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.simproc.(*)..").should().beFreeOfCycles()
            .allowEmptyShould(true);

    /**
     * The clock is simulated and every random choice comes from the machine's seed (SeededRandom over
     * SplittableRandom). Reading the JVM's memory limits (Boot's Runtime.maxMemory) is not a clock and is allowed.
     */
    @ArchTest
    static final ArchRule NO_WALL_CLOCK_OR_UNSEEDED_RANDOMNESS = noClasses().that()
            .resideInAnyPackage("io.simproc.mm..", "io.simproc.kernel..", "io.simproc.workload..",
                    "io.simproc.scenario..")
            .should().dependOnClassesThat().areAssignableTo(Random.class)
            .orShould().callMethod(Math.class, "random")
            .orShould().callMethod(StrictMath.class, "random")
            .orShould().callMethod(UUID.class, "randomUUID")
            .orShould().callMethod(Collections.class, "shuffle", List.class)
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().dependOnClassesThat().areAssignableTo(java.time.Clock.class)
            .orShould().callMethodWhere(target(name("now")).and(target(owner(resideInAnyPackage("java.time..")))))
            .allowEmptyShould(true);

    /** The rules are not vacuous: each clause rejects a class written to break it. */
    @Test
    void rulesRejectAClassThatBreaksThem() {
        JavaClasses violations = new ClassFileImporter().importClasses(ArchRuleViolations.class);
        String clock = assertThrows(AssertionError.class,
                () -> NO_WALL_CLOCK_OR_UNSEEDED_RANDOMNESS.check(violations)).getMessage();
        for (String call : List.of("System.currentTimeMillis()", "java.util.Random", "Instant.now()")) {
            assertTrue(clock.contains(call), "the clock and randomness rule misses " + call + ":\n" + clock);
        }
        String layering = assertThrows(AssertionError.class,
                () -> KERNEL_IS_BELOW_THE_FILESYSTEM.check(violations)).getMessage();
        assertTrue(layering.contains("io.simproc.proc.ProcFs"), layering);
        String links = assertThrows(AssertionError.class, () -> ONLY_PAGE_LISTS_TOUCH_THE_LIST_LINKS.check(
                new ClassFileImporter().importClasses(ListLinkViolation.class))).getMessage();
        assertTrue(links.contains("MemMap.setNext"), links);
    }
}
