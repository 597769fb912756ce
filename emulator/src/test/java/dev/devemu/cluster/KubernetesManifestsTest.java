package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes deployment as shipped, checked without a cluster: the manifests parse, refer to each other
 * consistently (labels, service account, ports, secrets) and to kubernetes.conf (ports, probe paths, key store
 * paths), the pod cannot run as root, the door's token and the TLS material come from secrets, and the Dockerfile
 * runs as the user the pod demands with a build context limited by .dockerignore.
 */
class KubernetesManifestsTest {
  static final Path K8S = ClusterConfigTest.DIR.resolve("k8s");

  /** Every document of every manifest, by kind. */
  static Map<String, Map<String, Object>> documents() throws Exception {
    Map<String, Map<String, Object>> byKind = new HashMap<>();
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    try (var files = Files.list(K8S)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : yaml.loadAll(Files.readString(f))) {
          Map<String, Object> m = map(doc, f + ": a document");
          assertNotNull(m.get("apiVersion"), f + ": apiVersion");
          String kind = (String) m.get("kind");
          assertNotNull(kind, f + ": kind");
          assertNotNull(map(m.get("metadata"), f + ": metadata").get("name"), f + ": metadata.name");
          assertNull(byKind.put(kind, m), "two " + kind + "s");
        }
      }
    }
    return byKind;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    assertInstanceOf(Map.class, o, what + " is not a mapping");
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o, String what) {
    assertInstanceOf(List.class, o, what + " is not a list");
    return (List<Object>) o;
  }

  static Map<String, Object> path(Map<String, Object> m, String dotted) {
    Map<String, Object> at = m;
    for (String k : dotted.split("\\.")) at = map(at.get(k), dotted + " (at " + k + ")");
    return at;
  }

  static Map<String, Object> named(List<Object> items, String name, String what) {
    for (Object o : items) if (name.equals(map(o, what).get("name"))) return map(o, what);
    throw new AssertionError(what + ": nothing named " + name + " in " + items);
  }

  @Test
  void thePodRunsAsItsOwnUserWithSecretsForTokenAndTls() throws Exception {
    Map<String, Map<String, Object>> docs = documents();
    assertEquals(java.util.Set.of("Deployment", "Service", "ServiceAccount", "Role", "RoleBinding"), docs.keySet());
    Map<String, Object> deployment = docs.get("Deployment");
    Map<String, Object> pod = path(deployment, "spec.template.spec");
    Map<String, Object> podSecurity = map(pod.get("securityContext"), "pod securityContext");
    assertEquals(Boolean.TRUE, podSecurity.get("runAsNonRoot"));
    int uid = (Integer) podSecurity.get("runAsUser");
    assertNotEquals(0, uid);

    List<Object> containers = list(pod.get("containers"), "containers");
    assertEquals(1, containers.size());
    Map<String, Object> c = map(containers.get(0), "container");
    Map<String, Object> cSecurity = map(c.get("securityContext"), "container securityContext");
    assertEquals(Boolean.FALSE, cSecurity.get("allowPrivilegeEscalation"));
    assertEquals(Boolean.TRUE, cSecurity.get("readOnlyRootFilesystem"));
    assertEquals(List.of("ALL"), map(cSecurity.get("capabilities"), "capabilities").get("drop"));

    List<Object> env = list(c.get("env"), "env");
    for (String[] secret : new String[][] {{"DEVEMU_TOKEN", "devemu-token"}, {"DEVEMU_TLS_PASSWORD", "devemu-tls"},
        {"DEVEMU_DB_PASSWORD", "devemu-db"}}) {
      Map<String, Object> ref = path(named(env, secret[0], "env"), "valueFrom.secretKeyRef");
      assertEquals(secret[1], ref.get("name"), secret[0]);
    }
    // The TLS stores: a secret volume, mounted where kubernetes.conf looks for them, read-only.
    Map<String, Object> tlsVolume = named(list(pod.get("volumes"), "volumes"), "tls", "volumes");
    assertEquals("devemu-tls", path(tlsVolume, "secret").get("secretName"));
    Map<String, Object> mount = named(list(c.get("volumeMounts"), "volumeMounts"), "tls", "volumeMounts");
    assertEquals(Boolean.TRUE, mount.get("readOnly"));
    Config conf = ClusterConfigTest.load("kubernetes.conf", 1).config();
    for (String store : new String[] {"key-store", "trust-store"}) {
      Path p = Path.of(conf.getString("pekko.remote.artery.ssl.config-ssl-engine." + store));
      assertEquals(Path.of((String) mount.get("mountPath")), p.getParent(), store);
      assertTrue(list(path(tlsVolume, "secret").get("items"), "items").stream()
          .anyMatch(i -> p.getFileName().toString().equals(map(i, "item").get("path"))), store + " is not mounted");
    }
    // The data directory is on a writable volume, since the root file system is read-only.
    String dataDir = conf.getString("devemu.node.data-dir");
    assertTrue(list(c.get("volumeMounts"), "volumeMounts").stream()
        .map(v -> (String) map(v, "mount").get("mountPath")).anyMatch(dataDir::startsWith), dataDir);
  }

  @Test
  void portsProbesLabelsAndAccountAgree() throws Exception {
    Map<String, Map<String, Object>> docs = documents();
    Map<String, Object> deployment = docs.get("Deployment");
    Map<String, Object> pod = path(deployment, "spec.template.spec");
    Map<String, Object> c = map(list(pod.get("containers"), "containers").get(0), "container");
    Config conf = ClusterConfigTest.load("kubernetes.conf", 1).config();
    Map<String, Integer> ports = new HashMap<>();
    for (Object p : list(c.get("ports"), "ports")) {
      ports.put((String) map(p, "port").get("name"), (Integer) map(p, "port").get("containerPort"));
    }
    assertEquals(conf.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"));
    assertEquals(conf.getInt("pekko.management.http.port"), ports.get("management"));
    // readiness is devemu's own /ready (journal and coordinator), which Pekko's own check must not shadow
    assertEquals("/ready", path(c, "readinessProbe.httpGet").get("path"));
    assertNotEquals("ready", conf.getString("pekko.management.health-checks.readiness-path"));
    assertEquals("/" + conf.getString("pekko.management.health-checks.liveness-path"),
        path(c, "livenessProbe.httpGet").get("path"));
    assertEquals("management", path(c, "readinessProbe.httpGet").get("port"));

    Map<String, Object> labels = path(deployment, "spec.template.metadata.labels");
    assertEquals(path(deployment, "spec.selector.matchLabels"), labels);
    assertEquals(conf.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"),
        labels.get("app"), "bootstrap finds the pods by this label");
    Map<String, Object> service = docs.get("Service");
    assertEquals("ClusterIP", path(service, "spec").get("type"));
    assertEquals(labels, path(service, "spec.selector"));
    for (Object p : list(path(service, "spec").get("ports"), "service ports")) {
      assertTrue(ports.containsKey((String) map(p, "port").get("targetPort")), "targetPort " + p);
    }

    String account = (String) pod.get("serviceAccountName");
    assertEquals(account, path(docs.get("ServiceAccount"), "metadata").get("name"));
    Map<String, Object> binding = docs.get("RoleBinding");
    assertEquals(account, map(list(binding.get("subjects"), "subjects").get(0), "subject").get("name"));
    assertEquals(path(docs.get("Role"), "metadata").get("name"), path(binding, "roleRef").get("name"));
    Map<String, Object> rule = map(list(docs.get("Role").get("rules"), "rules").get(0), "rule");
    assertEquals(List.of("pods"), rule.get("resources"));
    assertEquals(List.of("get", "watch", "list"), rule.get("verbs"), "read-only on pods, nothing more");
  }

  @Test
  void theImageRunsAsThePodsUserFromASmallContext() throws Exception {
    String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
    Matcher user = Pattern.compile("(?m)^USER\\s+(\\d+)").matcher(dockerfile);
    assertTrue(user.find(), "the Dockerfile has no numeric USER");
    int uid = Integer.parseInt(user.group(1));
    assertNotEquals(0, uid);
    assertEquals(uid, path(documents().get("Deployment"), "spec.template.spec.securityContext").get("runAsUser"));

    List<String> ignore = new ArrayList<>();
    for (String line : Files.readAllLines(ClusterConfigTest.DIR.getParent().resolve(".dockerignore"))) {
      if (!line.isBlank() && !line.startsWith("#")) ignore.add(line.strip());
    }
    assertEquals("*", ignore.get(0), ".dockerignore starts by leaving everything out");
    // Everything the Dockerfile copies is let in again, and nothing else.
    Matcher copy = Pattern.compile("(?m)^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s").matcher(dockerfile);
    List<String> copied = new ArrayList<>();
    while (copy.find()) copied.add(copy.group(1));
    List<String> letIn = ignore.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
    assertEquals(copied, letIn);
  }

  @Test
  void theImageStatesAHeapThatFitsThePodsMemoryLimit() throws Exception {
    String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
    Matcher xmx = Pattern.compile("\"-Xmx(\\d+)m\"").matcher(dockerfile);
    assertTrue(xmx.find(), "the Dockerfile states no -Xmx<N>m");
    long heapMiB = Long.parseLong(xmx.group(1));
    Map<String, Object> container = map(((List<?>) path(documents().get("Deployment"), "spec.template.spec")
        .get("containers")).get(0), "container");
    String limit = String.valueOf(path(container, "resources.limits").get("memory"));
    Matcher gi = Pattern.compile("(\\d+)Gi").matcher(limit);
    assertTrue(gi.matches(), "memory limit " + limit);
    long limitMiB = Long.parseLong(gi.group(1)) * 1024;
    // Room beside the heap for metaspace, thread stacks and direct buffers: at least a quarter of the limit.
    assertTrue(heapMiB <= limitMiB * 3 / 4, "-Xmx" + heapMiB + "m under a " + limit + " limit");
    assertTrue(heapMiB >= limitMiB / 2, "-Xmx" + heapMiB + "m leaves most of " + limit + " unused");
  }
}
