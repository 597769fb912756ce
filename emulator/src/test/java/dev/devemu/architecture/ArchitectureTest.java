package dev.devemu.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import com.tngtech.archunit.library.Architectures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The layers of {@code docs/architecture.md}, enforced: which part of the emulator may import which, and no cycle
 * between any two packages. Checked twice — on the compiled classes (ArchUnit), and on the {@code import} lines of
 * the sources, which also see imports that only javadoc uses and that a reader still reads as a dependency.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchitectureTest {
  /** A layer: the packages in it (ArchUnit syntax) and the layers it may use besides itself. */
  record Layer(String name, List<String> packages, List<String> mayUse) {}

  /** Lowest first. Everything under dev.devemu belongs to exactly one layer. */
  static final List<Layer> LAYERS = List.of(
      new Layer("Base", List.of("dev.devemu.uapi..", "dev.devemu.spec..", "dev.devemu.datasheet.."), List.of()),
      new Layer("Simulation", List.of("dev.devemu.sim..", "dev.devemu.wire..", "dev.devemu.fault.."),
          List.of("Base")),
      new Layer("Hardware", List.of("dev.devemu.hw.."), List.of("Simulation", "Base")),
      new Layer("Kernel", List.of("dev.devemu.kernel.."), List.of("Hardware", "Simulation", "Base")),
      new Layer("Guest software", List.of("dev.devemu.driver..", "dev.devemu.userspace.."),
          List.of("Kernel", "Simulation", "Base")),
      new Layer("Assembly", List.of("dev.devemu.scenario..", "dev.devemu.plugin..", "dev.devemu.testbed.."),
          List.of("Guest software", "Kernel", "Hardware", "Simulation", "Base")),
      new Layer("Applications", List.of("dev.devemu.replay..", "dev.devemu.explore..", "dev.devemu.report..",
          "dev.devemu.campaign..", "dev.devemu.cluster..", "dev.devemu.cli..", "dev.devemu.bench..",
          "dev.devemu.usbip..", "dev.devemu.kunit.."),
          List.of("Assembly", "Guest software", "Kernel", "Hardware", "Simulation", "Base")));

  JavaClasses classes;

  @BeforeAll
  void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.devemu");
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.devemu.(**)").should().beFreeOfCycles().check(classes);
  }

  static Architectures.LayeredArchitecture layers() {
    Architectures.LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
    for (Layer l : LAYERS) layers = layers.layer(l.name()).definedBy(l.packages().toArray(String[]::new));
    for (Layer l : LAYERS) {
      layers = l.mayUse().isEmpty() ? layers.whereLayer(l.name()).mayNotAccessAnyLayer()
          : layers.whereLayer(l.name()).mayOnlyAccessLayers(l.mayUse().toArray(String[]::new));
    }
    return layers;
  }

  @Test
  void eachLayerUsesOnlyTheLayersBelowIt() {
    layers().check(classes);
  }

  /** The rules catch a violation: a test fixture in {@code hw} that names the kernel. */
  @Test
  void theLayerRuleFailsOnHardwareThatKnowsTheKernel() {
    JavaClasses withFixture = new ClassFileImporter().importClasses(
        dev.devemu.hw.fixture.HardwareThatKnowsTheKernel.class, dev.devemu.kernel.Kernel.class);
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> layers().check(withFixture));
    assertTrue(e.getMessage().contains("HardwareThatKnowsTheKernel"), e.getMessage());
  }

  /** The kernel talks to hardware through the bus contracts (hw.pci, hw.usb, hw.machine), never to a device model. */
  @Test
  void theKernelKnowsNoDeviceModel() {
    ArchRuleDefinition.noClasses().that().resideInAPackage("dev.devemu.kernel..").should().dependOnClassesThat()
        .resideInAPackage("dev.devemu.hw.device..").check(classes);
  }

  /** The driver API mirrors the kernel crate; the sample drivers sit on it, not the other way round. */
  @Test
  void theDriverApiKnowsNoSampleDriver() {
    ArchRuleDefinition.noClasses().that().resideInAPackage("dev.devemu.driver.api..").should().dependOnClassesThat()
        .resideInAPackage("dev.devemu.driver.samples..").check(classes);
  }

  /** User programs reach drivers only through system calls. */
  @Test
  void userSpaceKnowsNoDriver() {
    ArchRule rule = ArchRuleDefinition.noClasses().that().resideInAPackage("dev.devemu.userspace..").should()
        .dependOnClassesThat().resideInAPackage("dev.devemu.driver..");
    rule.check(classes);
  }

  /** The same layers, on the sources' import lines (javadoc-only imports included). */
  @Test
  void sourceImportsFollowTheLayers() throws IOException {
    Path root = Path.of("src/main/java");
    Pattern importLine = Pattern.compile("^import (?:static )?(dev\\.devemu\\.[\\w.]+?)\\.[A-Z*][\\w*]*(?:\\.[\\w*]+)*;",
        Pattern.MULTILINE);
    List<String> wrong = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String from = root.relativize(f.getParent()).toString().replace('/', '.');
        Layer mine = layerOf(from);
        if (mine == null) {
          wrong.add(f + ": package " + from + " is in no layer");
          continue;
        }
        Matcher m = importLine.matcher(Files.readString(f));
        while (m.find()) {
          String to = m.group(1);
          if (to.startsWith("dev.devemu.protocol")) continue; // the generated Protobuf classes: any layer may use
          Layer theirs = layerOf(to);
          boolean allowed = theirs != null && (theirs == mine || mine.mayUse().contains(theirs.name()));
          if (mine.name().equals("Kernel") && to.startsWith("dev.devemu.hw.device")) allowed = false;
          if (to.startsWith("dev.devemu.driver.samples") && from.startsWith("dev.devemu.driver.api")) allowed = false;
          if (!allowed) wrong.add(f + ": imports " + to + " (" + mine.name() + " -> " + (theirs == null ? "?" : theirs.name()) + ")");
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  static Layer layerOf(String pkg) {
    for (Layer l : LAYERS) {
      for (String p : l.packages()) {
        String base = p.substring(0, p.length() - 2);
        if (pkg.equals(base) || pkg.startsWith(base + ".")) return l;
      }
    }
    return null;
  }
}
