// Minimal veraPDF driver (run through tools/verapdf/run.sh, which sets the class path).
//
//   java Validate [--details[=N]] FLAVOUR FILE.pdf...
//
// Prints, per file, compliance and the failed rules (specification clause-test, count,
// description). With --details (or env VERAPDF_DETAILS=1) it also prints, for each
// failed rule, up to 3 (--details=N: N) failed checks: the object's location in veraPDF's
// model (page, content stream, operator, font, glyph...) and the rule's error message
// filled in with its arguments, so one can find what in the PDF fails.
// Exit 0 if every file is compliant, 1 if any is not, 2 on a usage, parse or validation error.
import java.io.File;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.ErrorArgument;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;

public class Validate {
    static final String USAGE = "usage: run.sh [--details[=N]] FLAVOUR FILE.pdf...  (FLAVOUR: ua1, ua2, 1b, 2b, 3a, 4, ...)";

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (Throwable t) {
            System.err.println("verapdf: " + t);
            System.exit(2);
        }
    }

    static int run(String[] args) throws Exception {
        String env = System.getenv("VERAPDF_DETAILS");
        int details = env == null || env.isEmpty() || env.equals("0") ? 0 : 3;
        int a = 0;
        for (; a < args.length && args[a].startsWith("--"); a++) {
            if (args[a].equals("--details")) details = 3;
            else if (args[a].startsWith("--details=")) details = parseDetails(args[a].substring(10));
            else if (args[a].equals("--")) { a++; break; }
            else { System.err.println("unknown option " + args[a] + "\n" + USAGE); return 2; }
        }
        if (details < 0 || args.length - a < 2) { System.err.println(USAGE); return 2; }
        VeraGreenfieldFoundryProvider.initialise();
        PDFAFlavour flavour = PDFAFlavour.fromString(args[a]);
        if (flavour == PDFAFlavour.NO_FLAVOUR) { System.err.println("unknown flavour " + args[a] + "\n" + USAGE); return 2; }
        int rc = 0;
        for (int i = a + 1; i < args.length; i++) {
            long t0 = System.nanoTime();
            if (!new File(args[i]).isFile()) {
                System.out.println(args[i] + ": ERROR no such file");
                rc = 2;
                continue;
            }
            // (flavour, max failed checks kept per rule, log passed checks, fill in error messages, progress)
            try (PDFAParser parser = Foundries.defaultInstance().createParser(new File(args[i]), flavour);
                 PDFAValidator validator = Foundries.defaultInstance().createValidator(
                         flavour, Math.max(details, 1), false, details > 0, false)) {
                ValidationResult r = validator.validate(parser);
                Map<RuleId, Integer> failed = r.getFailedChecks();
                System.out.printf("%s: %s %s, %d checks, %d failed rules (%.1fs)%n", args[i],
                        flavour.getId(), r.isCompliant() ? "COMPLIANT" : "NOT COMPLIANT",
                        r.getTotalAssertions(), failed.size(), (System.nanoTime() - t0) / 1e9);
                Map<RuleId, List<TestAssertion>> byRule = new LinkedHashMap<>();
                for (TestAssertion t : r.getTestAssertions())
                    if (t.getStatus() == TestAssertion.Status.FAILED)
                        byRule.computeIfAbsent(t.getRuleId(), k -> new java.util.ArrayList<>()).add(t);
                final int n = details;
                failed.entrySet().stream()
                        .sorted(Map.Entry.<RuleId, Integer>comparingByValue(Comparator.reverseOrder()))
                        .forEach(e -> {
                            RuleId id = e.getKey();
                            Rule rule = r.getValidationProfile().getRuleByRuleId(id);
                            System.out.printf("  %s %s-%d x%d: %s%n", id.getSpecification().getId(),
                                    id.getClause(), id.getTestNumber(), e.getValue(),
                                    rule == null ? "" : rule.getDescription());
                            if (n > 0) printDetails(byRule.getOrDefault(id, List.of()), n);
                        });
                if (!r.isCompliant()) rc = Math.max(rc, 1);
            } catch (Exception e) {
                System.out.println(args[i] + ": ERROR " + e);
                rc = 2;
            }
        }
        return rc;
    }

    static void printDetails(List<TestAssertion> checks, int n) {
        for (TestAssertion t : checks.subList(0, Math.min(n, checks.size()))) {
            String where = t.getLocation() == null ? null : t.getLocation().getContext();
            if (where == null) where = t.getLocationContext();
            // veraPDF counts pages from 0 in its model paths; say which page a viewer shows.
            java.util.regex.Matcher page = where == null ? null
                    : java.util.regex.Pattern.compile("/pages\\[(\\d+)\\]").matcher(where);
            String onPage = page != null && page.find() ? " (page " + (Integer.parseInt(page.group(1)) + 1) + ")" : "";
            System.out.printf("      at %s%s%n", where, onPage);
            if (t.getLocationContext() != null && !t.getLocationContext().equals(where))
                System.out.printf("         context: %s%n", t.getLocationContext());
            String msg = t.getErrorMessage() != null ? t.getErrorMessage() : t.getMessage();
            if (msg != null) System.out.printf("         %s%n", msg.strip().replaceAll("\\s+", " "));
            List<ErrorArgument> args = t.getErrorArguments();
            if (args != null && !args.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (ErrorArgument ea : args)
                    sb.append(sb.length() == 0 ? "" : ", ")
                      .append(ea.getName() != null ? ea.getName() : ea.getArgument())
                      .append('=').append(ea.getArgumentValue());
                System.out.printf("         args: %s%n", sb);
            }
        }
    }

    static int parseDetails(String s) {
        try { return Integer.parseInt(s); } catch (NumberFormatException e) { return -1; }
    }
}
