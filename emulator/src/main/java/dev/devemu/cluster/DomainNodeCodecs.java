package dev.devemu.cluster;

import dev.devemu.cluster.DomainNodeMessages.End;
import dev.devemu.cluster.DomainNodeMessages.Ended;
import dev.devemu.cluster.DomainNodeMessages.Round;
import dev.devemu.cluster.DomainNodeMessages.RoundDone;
import dev.devemu.cluster.DomainNodeMessages.Start;
import dev.devemu.cluster.DomainNodeMessages.Started;
import dev.devemu.protocol.v1.DomainRound;
import dev.devemu.protocol.v1.DomainRoundDone;
import dev.devemu.protocol.v1.DomainTraceEntry;
import dev.devemu.protocol.v1.DomainsEnd;
import dev.devemu.protocol.v1.DomainsEnded;
import dev.devemu.protocol.v1.DomainsStart;
import dev.devemu.protocol.v1.DomainsStarted;
import dev.devemu.sim.domain.RemoteDomains;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Wire codecs of the messages between the nodes of one run split into time domains (link.proto). */
public final class DomainNodeCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(Start.class, "DomainsStart", DomainsStart::parseFrom,
        (m, c) -> DomainsStart.newBuilder().setRun(m.run()).setScenarioSource(m.source()).setScenarioFile(m.file())
            .setSeed(m.seed()).addAllHosted(m.hosted()).setReplyTo(c.ref(m.replyTo())).setDetailed(m.detailed())
            .setMaxChoices(m.maxChoices()).build(),
        (p, c) -> new Start(p.getRun(), p.getScenarioSource(), p.getScenarioFile(), p.getSeed(), p.getHostedList(),
            p.getDetailed(), p.getMaxChoices(), c.ref(p.getReplyTo()))));
    r.accept(Codec.of(Started.class, "DomainsStarted", DomainsStarted::parseFrom,
        (m, c) -> DomainsStarted.newBuilder().setRun(m.run()).addAllNext(m.next()).setError(m.error()).build(),
        (p, c) -> new Started(p.getRun(), p.getNextList(), p.getError())));
    r.accept(Codec.of(Round.class, "DomainRound", DomainRound::parseFrom,
        (m, c) -> DomainRound.newBuilder().setRun(m.run()).setRound(m.round()).addAllHorizons(m.horizons())
            .addAllFrames(m.frames()).setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new Round(p.getRun(), p.getRound(), p.getHorizonsList(), p.getFramesList(), c.ref(p.getReplyTo()))));
    r.accept(Codec.of(RoundDone.class, "DomainRoundDone", DomainRoundDone::parseFrom,
        (m, c) -> {
          var b = DomainRoundDone.newBuilder().setRun(m.run()).setRound(m.round()).addAllNext(m.next())
              .addAllFrames(m.frames()).setError(m.error());
          for (RemoteDomains.TraceEntry e : m.trace()) {
            var t = DomainTraceEntry.newBuilder().setDomain(e.domain()).setStep(e.step()).setTimeNs(e.timeNanos())
                .setActor(e.actor()).setMessage(e.message()).setSender(e.sender());
            if (e.note() != null) t.setNote(e.note());
            b.addTrace(t);
          }
          return b.build();
        },
        (p, c) -> {
          List<RemoteDomains.TraceEntry> trace = new ArrayList<>(p.getTraceCount());
          for (DomainTraceEntry t : p.getTraceList()) {
            trace.add(new RemoteDomains.TraceEntry(t.getDomain(), t.getStep(), t.getTimeNs(), t.getActor(),
                t.getMessage(), t.getSender(), t.getNote().isEmpty() ? null : t.getNote()));
          }
          return new RoundDone(p.getRun(), p.getRound(), p.getNextList(), p.getFramesList(), trace, p.getError());
        }));
    r.accept(Codec.of(End.class, "DomainsEnd", DomainsEnd::parseFrom,
        (m, c) -> DomainsEnd.newBuilder().setRun(m.run()).setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new End(p.getRun(), c.ref(p.getReplyTo()))));
    r.accept(Codec.of(Ended.class, "DomainsEnded", DomainsEnded::parseFrom,
        (m, c) -> DomainsEnded.newBuilder().setRun(m.run()).setChoices(m.choices()).setVirtualNs(m.virtualNanos())
            .setCrossings(m.crossings()).build(),
        (p, c) -> new Ended(p.getRun(), p.getChoices(), p.getVirtualNs(), p.getCrossings())));
  }
}
