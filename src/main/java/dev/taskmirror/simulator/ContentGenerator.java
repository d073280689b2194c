package dev.taskmirror.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Realistic, seeded task content: users, prompts, titles, files, sources, results, tool calls. */
final class ContentGenerator {

    private static final String[] FIRST = {"Dana", "Omar", "Mei", "Lukas", "Priya", "Jonas", "Aisha", "Carlos",
            "Yuki", "Sofia", "Noah", "Chloé", "Mateo", "Zoë", "Ivan", "Leila", "Tom", "Hana", "Rafael", "Ingrid"};
    private static final String[] LAST = {"Cohen", "Haddad", "Chen", "Schmidt", "Patel", "Berg", "Okafor", "García",
            "Tanaka", "Rossi", "Smith", "Dubois", "López", "Müller", "Petrov", "Nasser", "O'Brien", "Kim", "Silva",
            "Larsen"};
    private static final String[] DOMAINS = {"acme.io", "globex.com", "initech.dev", "umbrella.co", "example.com",
            "hooli.xyz"};
    private static final String[] TIMEZONES = {"Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London",
            "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "UTC", "Asia/Jerusalem"};
    private static final String[] DOCS = {"Q3 report", "board deck", "contract draft", "security review",
            "incident postmortem", "product spec", "Résumé", "pricing sheet", "release notes", "customer interview"};
    private static final String[] CUSTOMERS = {"Acme Corp", "Globex", "Initech", "Zoë Müller", "株式会社サンプル",
            "Umbrella Health", "Stark Logistics", "Wayne Retail"};
    private static final String[] ISSUES = {"late delivery", "billing discrepancy", "login failures",
            "API rate limits", "missing invoice", "data export request", "SSO setup", "refund request"};
    private static final String[] TEAMS = {"sales", "support", "platform", "marketing", "finance", "data"};
    private static final String[] LANGS = {"German", "Japanese", "Spanish", "French", "Hebrew", "Portuguese"};
    private static final String[] EVENTS = {"product launch", "offsite", "webinar", "migration", "audit"};
    private static final String[] METRICS = {"churn rate", "MRR", "active users", "ticket backlog", "NPS"};
    private static final String[] FEEDBACK = {"The app is slow on Mondays", "Love the new dashboard!",
            "Export to CSV is broken", "Pricing page is confusing", "Support answered within minutes"};
    private static final String[][] TEMPLATES = {
            {"Summarize {doc}", "Summarize the attached {doc} and list the key risks."},
            {"Draft reply to {customer}", "Draft a polite reply to {customer} about their {issue}."},
            {"Triage ticket #{n}", "Triage support ticket #{n}: {issue}. Suggest priority and owner."},
            {"Weekly {team} report", "Compile the weekly {team} report for week {week}."},
            {"Research {customer}", "Research {customer} and summarize their latest funding and products."},
            {"Translate {doc} to {lang}", "Translate the attached {doc} into {lang}."},
            {"Classify feedback", "Classify this customer feedback into categories: \"{feedback}\""},
            {"Extract invoice fields", "Extract vendor, total and due date from the attached invoice."},
            {"Plan the {event}", "Create a plan for the {event} including timeline and owners."},
            {"SQL for {metric}", "Write a SQL query that computes {metric} per month."},
            {"Onboard new {team} hire", "Prepare an onboarding checklist for a new hire joining the {team} team."},
            {"Review PR #{n}", "Review pull request #{n} and point out risky changes."},
    };
    private static final String[] SOURCES = {"sdk", "sdk", "sdk", "sdk", "sdk", "sdk", "sdk", "webhook", "webhook",
            "webhook", "slack", "slack", "slack", "workbench", "workbench", "telegram", "mcp", "a2a", "task",
            "assistant", "api", "api", "orchestration", null};
    private static final String[] FILE_EXT = {"pdf", "pdf", "pdf", "png", "jpg", "csv", "txt", "md", "json", "html",
            "mp3", "zip", "docx", "xlsx"};
    private static final String[] FILE_NAMES = {"report", "invoice-0042", "screenshot", "export", "notes", "data",
            "recording", "archive", "minutes", "résumé"};
    private static final String[] TOOLS = {"web_search", "crm_lookup", "read_file", "send_email",
            "jira_create_issue", "sql_query", "calendar_find_slot"};
    private static final String[] INTERNAL_STATUSES = {"reviewed", "needs-review", "escalated", "archived",
            "qa-passed", "waiting-for-customer"};
    private static final String[] VOICES = {"alloy", "verse", "sage", "coral"};
    private static final String[] ERRORS = {
            "Error: tool 'crm_lookup' timed out after 30s",
            "Traceback (most recent call last):\n  File \"handler.py\", line 42, in run\nValueError: unsupported file type",
            "Error: rate limit exceeded by the LLM provider (429)",
            "Error: MCP server 'crm' refused the connection"};
    private static final String[] FAILURES = {"Task failed: the agent could not complete the request",
            "Task failed: maximum number of steps reached", "Task failed: required approval was rejected"};

    private static final String[] SCHEMA_TEXTS = {
            "{\"type\":\"object\",\"properties\":{\"summary\":{\"type\":\"string\"},\"score\":{\"type\":\"number\"},"
                    + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"required\":[\"summary\",\"score\"]}",
            "{\"type\":\"object\",\"properties\":{\"vendor\":{\"type\":\"string\"},\"total\":{\"type\":\"number\"},"
                    + "\"due_date\":{\"type\":\"string\"},\"paid\":{\"type\":\"boolean\"}},"
                    + "\"required\":[\"vendor\",\"total\",\"due_date\"]}",
            "{\"type\":\"object\",\"properties\":{\"priority\":{\"type\":\"string\",\"enum\":[\"low\",\"medium\",\"high\"]},"
                    + "\"owner\":{\"type\":\"string\"},\"steps\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                    + "\"properties\":{\"title\":{\"type\":\"string\"},\"done\":{\"type\":\"boolean\"}},"
                    + "\"required\":[\"title\"]}}},\"required\":[\"priority\",\"owner\"]}"};

    /** Parsed once and shared by all tasks: stored documents are never modified in place. */
    private static final JsonNode[] SCHEMAS = java.util.Arrays.stream(SCHEMA_TEXTS).map(SimJson::parse)
            .toArray(JsonNode[]::new);

    private ContentGenerator() {
    }

    static <T> T pick(SplittableRandom rng, T[] values) {
        return values[rng.nextInt(values.length)];
    }

    static String uuid(SplittableRandom rng) {
        long msb = (rng.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lsb = (rng.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new java.util.UUID(msb, lsb).toString();
    }

    /** A pool of end users with ids, names, emails and time zones; some without names. */
    static List<ObjectNode> users(SplittableRandom rng, int count) {
        List<ObjectNode> users = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode u = SimJson.object();
            String first = pick(rng, FIRST);
            String last = pick(rng, LAST);
            boolean named = rng.nextInt(10) > 0;
            u.put("id", rng.nextInt(4) == 0 ? uuid(rng) : "user-" + (1000 + i));
            u.put("first_name", named ? first : null);
            u.put("last_name", named && rng.nextInt(4) > 0 ? last : null);
            u.put("email", ascii(first).toLowerCase() + "." + ascii(last).toLowerCase() + i + "@" + pick(rng, DOMAINS));
            if (rng.nextInt(3) == 0) {
                u.putObject("additional_attributes").put("plan", rng.nextBoolean() ? "enterprise" : "team")
                        .put("region", rng.nextBoolean() ? "eu" : "us");
            } else {
                u.putNull("additional_attributes");
            }
            u.put("timezone", rng.nextInt(8) == 0 ? null : pick(rng, TIMEZONES));
            u.put("display_name", TaskDocs.displayName(u));
            users.add(u);
        }
        return users;
    }

    private static String ascii(String s) {
        return java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD).replaceAll("[^A-Za-z]", "");
    }

    /**
     * A create request as a client would send it (known keys only, already normalized). {@code agents} are the
     * organization's agents (for triggering_agent_id).
     */
    static ObjectNode createRequest(SplittableRandom rng, List<ObjectNode> users, List<String> agents,
            String agentId) {
        ObjectNode r = SimJson.object();
        String[] template = pick(rng, TEMPLATES);
        String title = fill(rng, template[0]);
        String prompt = fill(rng, template[1]);
        ObjectNode input = r.putObject("input");
        input.put("text", prompt);
        ArrayNode files = input.putArray("files");
        int fileCount = rng.nextInt(10) < 6 ? 0 : 1 + rng.nextInt(3);
        for (int i = 0; i < fileCount; i++) {
            files.add(fileUrl(rng));
        }
        if (!users.isEmpty() && rng.nextInt(5) > 0) {
            input.set("user", users.get(rng.nextInt(users.size())));
        } else {
            input.putNull("user");
        }
        r.put("title", rng.nextInt(7) == 0 ? null : title);
        r.put("source", pick(rng, SOURCES));
        int format = rng.nextInt(20);
        if (format < 10) {
            r.put("output_format", "text");
        } else if (format < 15) {
            r.put("output_format", "markdown");
        } else if (format < 19) {
            r.put("output_format", "json");
            r.set("output_schema", pick(rng, SCHEMAS));
        } else {
            r.put("output_format", "voice");
            r.put("voice_id", pick(rng, VOICES));
        }
        r.put("events_streaming", rng.nextInt(7) == 0);
        if (rng.nextInt(12) == 0 && agents.size() > 1) {
            String other = agents.get(rng.nextInt(agents.size()));
            if (!other.equals(agentId)) {
                r.put("triggering_agent_id", other);
            }
        }
        if (rng.nextInt(5) == 0) {
            r.put("think_mode", "harder");
        }
        if (rng.nextInt(8) == 0) {
            r.put("additional_context", "Customer tier: " + (rng.nextBoolean() ? "gold" : "silver"));
        }
        if (rng.nextInt(10) == 0) {
            r.put("expected_output", "A short answer with at most five bullet points");
        }
        if (rng.nextInt(12) == 0) {
            r.putObject("payload_extension").put("tenant", "t-" + rng.nextInt(100));
        }
        if (rng.nextInt(15) == 0) {
            addSecrets(rng, r);
        }
        if (rng.nextInt(4) == 0) {
            r.put("agent_version", String.valueOf(1 + rng.nextInt(5)));
        }
        return r;
    }

    /** Secrets the mirror must redact: OIDC token, per-user tokens, an MCP server with credentials. */
    static void addSecrets(SplittableRandom rng, ObjectNode r) {
        r.put("user_oidc_token", "eyJhbGciOiJSUzI1NiJ9." + Long.toHexString(rng.nextLong()) + ".sig");
        ObjectNode userTokens = r.putObject("user_tokens");
        userTokens.put("crm-node-" + rng.nextInt(10), "sk-live-" + Long.toHexString(rng.nextLong()));
        userTokens.putObject("oidc_tokens").put("https://api.example.com", "oidc-" + Long.toHexString(rng.nextLong()));
        ArrayNode servers = r.putArray("mcp_servers");
        ObjectNode s = servers.addObject();
        boolean oauth = rng.nextInt(3) == 0;
        s.put("type", "remote");
        s.put("name", "crm");
        s.putNull("command");
        s.put("url", "https://mcp.example.com/mcp");
        s.put("transport", "streamable-http");
        s.put("auth_type", oauth ? "oauth2" : "api_key");
        s.put("api_key", oauth ? null : "mcp-key-" + Long.toHexString(rng.nextLong()));
        s.put("use_secrets_manager", false);
        s.put("client_id", oauth ? "client-123" : null);
        s.put("client_secret", oauth ? "shh-" + Long.toHexString(rng.nextLong()) : null);
        s.putObject("headers").put("Authorization", "Bearer hdr-" + Long.toHexString(rng.nextLong()));
        s.putObject("env_vars").put("CRM_TOKEN", "env-" + Long.toHexString(rng.nextLong()));
        s.putArray("allowed_tools").add("crm_lookup");
        s.putArray("additional_scopes");
        s.put("share_user_token_across_other_agents", true);
    }

    private static String fill(SplittableRandom rng, String template) {
        StringBuilder sb = new StringBuilder(template.length() + 32);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            int end = c == '{' ? template.indexOf('}', i) : -1;
            if (end < 0) {
                sb.append(c);
                i++;
                continue;
            }
            String key = template.substring(i + 1, end);
            sb.append(switch (key) {
                case "doc" -> pick(rng, DOCS);
                case "customer" -> pick(rng, CUSTOMERS);
                case "issue" -> pick(rng, ISSUES);
                case "team" -> pick(rng, TEAMS);
                case "lang" -> pick(rng, LANGS);
                case "event" -> pick(rng, EVENTS);
                case "metric" -> pick(rng, METRICS);
                case "feedback" -> pick(rng, FEEDBACK);
                case "n" -> String.valueOf(1000 + rng.nextInt(9000));
                case "week" -> String.valueOf(1 + rng.nextInt(52));
                default -> key;
            });
            i = end + 1;
        }
        return sb.toString();
    }

    static String fileUrl(SplittableRandom rng) {
        String ext = pick(rng, FILE_EXT);
        String name = pick(rng, FILE_NAMES);
        int kind = rng.nextInt(10);
        if (kind == 0) {
            return "https://files.example.com/uploads/" + name;
        }
        String base = kind < 4 ? "https://files.example.com/uploads/" : "https://storage.example.net/bucket/"
                + Integer.toHexString(rng.nextInt()) + "/";
        return base + name + "." + ext + (kind == 9 ? "?sig=" + Integer.toHexString(rng.nextInt()) : "");
    }

    static String internalStatus(SplittableRandom rng) {
        return pick(rng, INTERNAL_STATUSES);
    }

    static String editedTitle(SplittableRandom rng, String title) {
        String base = title == null ? "Untitled task" : title.replaceAll(" \\(edited( \\d+)?\\)$", "");
        return base + " (edited " + (1 + rng.nextInt(9)) + ")";
    }

    static ObjectNode tokens(SplittableRandom rng) {
        return TaskDocs.tokens(40 + rng.nextInt(1500), 300 + rng.nextInt(6000));
    }

    static String toolName(SplittableRandom rng) {
        return pick(rng, TOOLS);
    }

    static ObjectNode toolPayload(String tool, String prompt) {
        ObjectNode p = SimJson.object();
        switch (tool) {
            case "web_search" -> p.put("q", shorten(prompt, 60));
            case "crm_lookup" -> p.put("account", "ACME-" + Math.abs(prompt.hashCode() % 1000));
            case "read_file" -> p.put("path", "/uploads/report.pdf");
            case "send_email" -> p.put("to", "team@example.com").put("subject", shorten(prompt, 40));
            case "jira_create_issue" -> p.put("project", "OPS").put("summary", shorten(prompt, 50));
            case "sql_query" -> p.put("query", "select count(*) from events");
            default -> p.put("duration_minutes", 30);
        }
        return p;
    }

    static ObjectNode toolResult(SplittableRandom rng, String tool) {
        ObjectNode r = SimJson.object();
        switch (tool) {
            case "web_search" -> r.put("hits", 1 + rng.nextInt(9));
            case "sql_query" -> r.putArray("rows").addArray().add(rng.nextInt(100_000));
            default -> r.put("ok", true);
        }
        return r;
    }

    static String shorten(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max);
    }

    static String errorText(SplittableRandom rng) {
        return pick(rng, ERRORS);
    }

    static String failureText(SplittableRandom rng) {
        return rng.nextInt(4) == 0 ? null : pick(rng, FAILURES);
    }

    /** A result for a completed task, shaped by its output format (JSON: sometimes invalid or not JSON). */
    static String result(SplittableRandom rng, ObjectNode task) {
        String format = TaskDocs.text(task, "output_format");
        String title = TaskDocs.text(task, "title");
        String subject = title == null ? "the request" : title;
        if ("json".equals(format)) {
            JsonNode schema = TaskDocs.get(task, "output_schema");
            int roll = rng.nextInt(20);
            if (roll < 12) {
                return SimJson.text(schema.isObject() ? sample(rng, schema, 0) : answer(subject));
            } else if (roll < 17) {
                return SimJson.text(invalid(rng, schema, subject));
            } else {
                return "Sorry, I could not produce JSON for " + subject + ". Here is a summary instead: all good.";
            }
        }
        if ("voice".equals(format)) {
            return "https://files.example.com/voice/" + Long.toHexString(rng.nextLong()) + ".mp3";
        }
        if ("markdown".equals(format)) {
            return "## " + subject + "\n- Revenue up " + (1 + rng.nextInt(30)) + "%\n- Churn "
                    + (rng.nextBoolean() ? "flat" : "down " + (1 + rng.nextInt(5)) + "%") + "\n\n**Next step:** "
                    + pick(rng, new String[] {"schedule a review", "send the summary", "close the ticket"}) + ".";
        }
        return "Done: " + subject + ". " + pick(rng, new String[] {
                "Everything looks good.", "Two follow-ups are needed.", "I sent the summary to the team.",
                "The customer was informed.", "No issues were found."});
    }

    private static ObjectNode answer(String subject) {
        ObjectNode o = SimJson.object();
        o.put("answer", "Completed " + subject);
        return o;
    }

    /** A value valid against a (simple) JSON schema. */
    static JsonNode sample(SplittableRandom rng, JsonNode schema, int depth) {
        String type = schema.path("type").asText("string");
        JsonNode enumValues = schema.get("enum");
        if (enumValues != null && enumValues.isArray() && !enumValues.isEmpty()) {
            return enumValues.get(rng.nextInt(enumValues.size())).deepCopy();
        }
        switch (type) {
            case "object": {
                ObjectNode o = SimJson.object();
                if (depth > 4) {
                    return o;
                }
                Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").properties().iterator();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    o.set(e.getKey(), sample(rng, e.getValue(), depth + 1));
                }
                return o;
            }
            case "array": {
                ArrayNode a = SimJson.array();
                int n = depth > 4 ? 0 : 1 + rng.nextInt(3);
                for (int i = 0; i < n; i++) {
                    a.add(sample(rng, schema.path("items"), depth + 1));
                }
                return a;
            }
            case "number":
                return SimJson.NODES.numberNode(Math.round(rng.nextDouble() * 10_000) / 100.0);
            case "integer":
                return SimJson.NODES.numberNode(rng.nextInt(1000));
            case "boolean":
                return SimJson.NODES.booleanNode(rng.nextBoolean());
            case "null":
                return SimJson.NODES.nullNode();
            default:
                return SimJson.NODES.textNode(pick(rng, new String[] {"ok", "Acme Corp", "2026-04-01",
                        "needs follow-up", "all checks passed"}));
        }
    }

    /** A JSON value that does not satisfy the schema: a required field missing, or a wrongly typed one. */
    private static JsonNode invalid(SplittableRandom rng, JsonNode schema, String subject) {
        if (!schema.isObject()) {
            return SimJson.NODES.textNode(subject);
        }
        JsonNode value = sample(rng, schema, 0);
        if (value instanceof ObjectNode o && o.size() > 0) {
            JsonNode required = schema.path("required");
            if (required.isArray() && !required.isEmpty() && rng.nextBoolean()) {
                o.remove(required.get(rng.nextInt(required.size())).asText());
            } else {
                String first = o.fieldNames().next();
                o.set(first, o.get(first).isNumber() ? SimJson.NODES.textNode("n/a") : SimJson.NODES.numberNode(42));
            }
            return o;
        }
        return SimJson.NODES.arrayNode().add(subject);
    }

    /** Splits a text into 2–4 streaming chunks. */
    static List<String> chunks(String text) {
        List<String> parts = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return parts;
        }
        int n = Math.min(4, Math.max(1, text.length() / 12));
        int size = (text.length() + n - 1) / n;
        for (int i = 0; i < text.length(); i += size) {
            parts.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        return parts;
    }
}
