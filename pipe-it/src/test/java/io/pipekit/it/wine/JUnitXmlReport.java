package io.pipekit.it.wine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads the legacy JUnit XML report ({@code TEST-junit-jupiter.xml}) that the JUnit console
 * launcher writes inside the test bed, one {@link InnerTestResult} per {@code <testcase>}.
 */
final class JUnitXmlReport {
    private JUnitXmlReport() {
    }

    static List<InnerTestResult> read(Path report) throws IOException {
        NodeList cases;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            cases = factory.newDocumentBuilder().parse(report.toFile()).getElementsByTagName("testcase");
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("unreadable JUnit report " + report, e);
        }
        List<InnerTestResult> results = new ArrayList<>();
        for (int i = 0; i < cases.getLength(); i++) {
            results.add(toResult((Element) cases.item(i)));
        }
        return results;
    }

    private static InnerTestResult toResult(Element testcase) {
        InnerTestResult.Status status = InnerTestResult.Status.PASSED;
        String message = "";
        String detail = "";
        for (Node child = testcase.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (!(child instanceof Element)) {
                continue;
            }
            Element outcome = (Element) child;
            switch (outcome.getTagName()) {
                case "failure", "error" -> {
                    status = InnerTestResult.Status.FAILED;
                    message = outcome.getAttribute("message");
                    detail = outcome.getAttribute("type") + "\n" + outcome.getTextContent();
                }
                case "skipped" -> {
                    status = InnerTestResult.Status.SKIPPED;
                    message = outcome.getAttribute("message");
                }
                default -> {
                    // system-out and system-err carry nothing we report
                }
            }
        }
        String time = testcase.getAttribute("time");
        return new InnerTestResult(testcase.getAttribute("classname"), testcase.getAttribute("name"), status,
                message, detail, time.isEmpty() ? 0 : Double.parseDouble(time.replace(",", "")));
    }
}
