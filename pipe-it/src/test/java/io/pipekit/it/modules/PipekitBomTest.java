package io.pipekit.it.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The BOM aligns exactly the published library modules, at the version being built. It has no
 * parent (a parent's dependencyManagement would be imported along), so nothing else keeps its
 * version in step: this does.
 */
class PipekitBomTest {
    private static final Path ROOT = Path.of(System.getProperty("pipekit.repo.root"));

    @Test
    void bomManagesEveryLibraryModuleAtTheProjectsVersion() throws Exception {
        Document parent = parse(ROOT.resolve("pom.xml"));
        Document bom = parse(ROOT.resolve("pipe-bom/pom.xml"));

        assertEquals(child(parent.getDocumentElement(), "version"), child(bom.getDocumentElement(), "version"),
                "pipe-bom's version is the parent's");
        List<String> managed = new ArrayList<>();
        NodeList dependencies = bom.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            assertEquals("io.pipekit", child(dependency, "groupId"));
            assertEquals("${project.version}", child(dependency, "version"));
            managed.add(child(dependency, "artifactId"));
        }
        assertEquals(List.of("pipe-core", "pipe-server", "pipe-client", "pipe-netty"), managed);
    }

    private static Document parse(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    /** The text of {@code element}'s direct child {@code name}. */
    private static String child(Element element, String name) {
        NodeList children = element.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element child && child.getTagName().equals(name)) {
                return child.getTextContent().trim();
            }
        }
        throw new AssertionError("no <" + name + "> in <" + element.getTagName() + ">");
    }
}
