package io.fulcrum.health;

import io.fulcrum.health.report.AgentReply;
import io.fulcrum.health.report.LoadReport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a checker says, with the thread it said it on and when (nanoTime). */
final class RecordingListener implements HealthListener {

    record Transition(HealthStatus from, HealthStatus to, long atNanos) {
    }

    final List<Transition> transitions = new CopyOnWriteArrayList<>();
    final List<LoadReport> reports = new CopyOnWriteArrayList<>();
    final List<AgentReply> agentReplies = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onStatusChange(String targetId, HealthStatus from, HealthStatus to) {
        threads.add(Thread.currentThread().getName());
        transitions.add(new Transition(from, to, System.nanoTime()));
    }

    @Override
    public void onLoadReport(String targetId, LoadReport report) {
        threads.add(Thread.currentThread().getName());
        reports.add(report);
    }

    @Override
    public void onAgentReply(String targetId, AgentReply reply) {
        threads.add(Thread.currentThread().getName());
        agentReplies.add(reply);
    }

    HealthStatus last() {
        return transitions.isEmpty() ? null : transitions.get(transitions.size() - 1).to();
    }
}
