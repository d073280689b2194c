package dev.taskmirror.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.simulator.SimTask.Version;
import dev.taskmirror.simulator.XpanderSimulator.Plan;

/**
 * Builds the AgentActivityThread of E9 (§4.6) from a task's state and its worker plan: the user message, then,
 * once the task has progressed, a tool call and a reasoning step, auth events pushed into its log, and the agent's
 * answer when it has finished.
 */
final class Activity {

    private Activity() {
    }

    static ObjectNode thread(long seed, SimTask t, Version v, int turn, List<String> frames, long nowMicros,
            Plan plan) {
        ObjectNode doc = v.doc();
        SplittableRandom ids = new SplittableRandom(seed ^ ((long) t.id.hashCode() << 20) ^ turn);
        ObjectNode thread = SimJson.object();
        thread.put("id", t.id);
        thread.put("created_at", SimJson.ts(t.createdMicros));
        JsonNode input = TaskDocs.get(doc, TaskDocs.INPUT);
        List<Item> items = new ArrayList<>();

        ObjectNode userMessage = SimJson.object();
        userMessage.put("id", ContentGenerator.uuid(ids));
        userMessage.put("created_at", SimJson.ts(t.createdMicros));
        userMessage.put("role", "user");
        ObjectNode content = userMessage.putObject("content");
        content.set("text", input.path("text").isTextual() ? input.get("text") : NullNode.getInstance());
        content.set("files", input.path("files").isArray() ? input.get("files").deepCopy() : SimJson.array());
        items.add(new Item(t.createdMicros, 0, userMessage));

        String status = TaskDocs.status(doc);
        boolean terminal = TaskDocs.isTerminal(status);
        Long started = parse(doc, "started_at");
        Long finished = parse(doc, "finished_at");
        if (started != null) {
            long end = finished != null ? finished : Math.max(started, Math.min(nowMicros, v.updatedMicros()));
            long span = Math.max(3, end - started);
            boolean progressed = terminal || "paused".equals(status) || nowMicros - started >= plan.firstHalf();
            if (progressed && plan.tool() != null) {
                ObjectNode tool = SimJson.object();
                tool.put("id", ContentGenerator.uuid(ids));
                tool.put("created_at", SimJson.ts(started + span / 3));
                tool.put("tool_name", plan.tool());
                String prompt = input.path("text").asText("");
                tool.set("payload", ContentGenerator.toolPayload(plan.tool(), prompt));
                tool.put("is_error", plan.toolError() && terminal);
                tool.putObject("reasoning").put("title", "Use " + plan.tool()).putNull("description");
                tool.set("result", ContentGenerator.toolResult(new SplittableRandom(seed ^ t.id.hashCode()),
                        plan.tool()));
                items.add(new Item(started + span / 3, 1, tool));
            }
            if (progressed) {
                ObjectNode reasoning = SimJson.object();
                reasoning.put("id", ContentGenerator.uuid(ids));
                reasoning.put("created_at", SimJson.ts(started + span / 2));
                reasoning.put("type", "think");
                reasoning.put("title", "Plan the answer");
                reasoning.put("confidence", plan.confidence());
                reasoning.put("thought", "Break the request into steps and check the inputs");
                reasoning.putNull("action");
                reasoning.putNull("result");
                reasoning.putNull("analysis");
                items.add(new Item(started + span / 2, 2, reasoning));
            }
        }
        for (String frame : frames) {
            JsonNode event = XpanderSimulator.parseFrame(frame);
            if (event != null && "auth_event".equals(event.path("type").asText())
                    && event.path("data").path("type").isTextual()) {
                Long at = SimJson.parseMicros(event.path("time").asText(null));
                long time = at == null ? t.createdMicros : at;
                ObjectNode auth = SimJson.object();
                auth.put("id", ContentGenerator.uuid(ids));
                auth.put("created_at", SimJson.ts(time));
                auth.set("type", event.path("data").get("type"));
                JsonNode data = event.path("data").get("data");
                auth.set("data", data == null ? SimJson.object() : data.deepCopy());
                items.add(new Item(time, 3, auth));
            }
        }
        String result = TaskDocs.text(doc, "result");
        if (terminal && (result != null || !"stopped".equals(status))) {
            long at = finished != null ? finished : v.updatedMicros();
            ObjectNode answer = SimJson.object();
            answer.put("id", ContentGenerator.uuid(ids));
            answer.put("created_at", SimJson.ts(at));
            answer.put("role", "agent");
            ObjectNode c = answer.putObject("content");
            c.put("text", result != null ? result : "The task ended with status " + status + ".");
            c.putArray("files");
            items.add(new Item(at, 4, answer));
        }
        items.sort(Comparator.comparingLong(Item::at).thenComparingInt(Item::rank));
        ArrayNode messages = thread.putArray("messages");
        items.forEach(i -> messages.add(i.node()));
        JsonNode user = input.get("user");
        thread.set("user", user == null ? NullNode.getInstance() : user.deepCopy());
        return thread;
    }

    private record Item(long at, int rank, ObjectNode node) {
    }

    private static Long parse(ObjectNode doc, String field) {
        JsonNode v = doc.get(field);
        return v == null || !v.isTextual() ? null : SimJson.parseMicros(v.asText());
    }
}
