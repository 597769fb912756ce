package dev.devemu.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devemu.cluster.ClusterCampaigns;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code devemu status --cluster HOST:PORT}: members, the coordinator, campaign progress and runs per node. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show a running cluster: members, the coordinator, campaign progress and runs per node.")
public final class StatusCommand implements Callable<Integer>, Subcommand {
  @Option(names = "--cluster", required = true, paramLabel = "HOST:PORT", description = "HTTP door of any node.")
  String cluster;

  @Option(names = "--token-file", paramLabel = "FILE", description = "The file holding the door's token (default: "
      + "the DEVEMU_TOKEN environment variable). Refused if any user may read it.")
  java.nio.file.Path tokenFile;

  @Option(names = "--json", description = "Print the status document as JSON.")
  boolean json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JsonNode s;
    try {
      s = ClusterCampaigns.status(cluster, dev.devemu.cluster.DoorToken.forClient(tokenFile));
    } catch (IllegalArgumentException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (IOException e) {
      err.println("devemu: no answer from " + cluster + ": " + e.getMessage());
      return ExitCodes.INTERNAL;
    }
    if (json) {
      out.println(s.toPrettyString());
      return ExitCodes.OK;
    }
    out.println("node " + s.path("self").asText() + " (leader " + s.path("leader").asText("-") + ")");
    out.println("members:");
    for (JsonNode m : s.path("members")) {
      out.printf("  %-36s %-8s %-11s roles=%s%n", m.path("address").asText(), m.path("status").asText(),
          m.path("reachable").asBoolean() ? "reachable" : "UNREACHABLE", join(m.path("roles")));
    }
    JsonNode journal = s.path("journal");
    if (!journal.isMissingNode()) {
      out.println("journal: " + (journal.path("writable").asBoolean() ? "writable"
          : "NOT WRITABLE: " + journal.path("problem").asText()));
    }
    if (s.has("ready")) {
      out.println("ready: " + (s.path("ready").asBoolean() ? "yes" : "no (" + s.path("notReady").asText() + ")"));
    }
    if (s.path("coordinator").isNull() || s.path("coordinator").isMissingNode()) {
      out.println("coordinator: " + s.path("coordinatorError").asText("not available"));
      out.flush();
      return ExitCodes.OK;
    }
    out.println("coordinator: " + s.path("coordinator").asText());
    out.println("workers (lanes): " + counts(s.path("workers")));
    out.println("campaigns:");
    if (s.path("campaigns").isEmpty()) out.println("  none");
    for (JsonNode c : s.path("campaigns")) {
      out.printf("  %s %s: %d/%d runs%s%s%n", c.path("campaignId").asText(), c.path("scenarioFile").asText(),
          c.path("done").asLong(), c.path("planned").asLong(), c.path("cancelled").asBoolean() ? " cancelled"
              : c.path("finished").asBoolean() ? " finished" : "",
          c.path("duplicatesIgnored").asLong() > 0 ? " (" + c.path("duplicatesIgnored").asLong()
              + " duplicate results ignored)" : "");
      out.println("    done per node:    " + counts(c.path("doneByNode")));
      out.println("    running per node: " + counts(c.path("runningByNode")));
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static String join(JsonNode array) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode n : array) sb.append(sb.length() == 0 ? "" : ",").append(n.asText());
    return sb.toString();
  }

  private static String counts(JsonNode object) {
    if (object.isEmpty()) return "-";
    StringBuilder sb = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      sb.append(sb.length() == 0 ? "" : "  ").append(e.getKey()).append('=').append(e.getValue().asText());
    }
    return sb.toString();
  }
}
