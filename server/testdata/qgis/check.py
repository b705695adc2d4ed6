"""Drives QGIS 3.22 (PyQGIS, headless) against a durand server for
TestQGIS: OAPIF feature counts, subset strings, and a render of durand's
vector tiles with durand's MapLibre style. Reads a JSON job on stdin,
writes a JSON report on stdout. Run with Debian's /usr/bin/python3."""
import json
import os
import sys
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (  # noqa: E402
    Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsMapBoxGlStyleConverter,
    QgsMapRendererParallelJob, QgsMapSettings, QgsRectangle, QgsVectorLayer,
    QgsVectorTileLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402

job = json.load(sys.stdin)
app = QgsApplication([], False)
app.initQgis()
report = {"version": Qgis.QGIS_VERSION, "counts": {}, "subsets": [], "fields": {}}
try:
    for name in job["collections"]:
        uri = "url='%s' typename='%s' pagingEnabled='true' restrictToRequestBBOX='0'" % (job["url"], name)
        layer = QgsVectorLayer(uri, name, "OAPIF")
        if not layer.isValid():
            report["counts"][name] = -1
            continue
        report["counts"][name] = layer.featureCount()
        report["fields"][name] = {f.name(): f.typeName() for f in layer.fields()}
    for sub in job["subsets"]:
        uri = "url='%s' typename='%s' pagingEnabled='true' restrictToRequestBBOX='0'" % (job["url"], sub["layer"])
        layer = QgsVectorLayer(uri, sub["layer"], "OAPIF")
        ok = layer.isValid() and layer.setSubsetString(sub["subset"])
        n = sum(1 for _ in layer.getFeatures()) if ok else -1
        report["subsets"].append({"layer": sub["layer"], "subset": sub["subset"], "valid": bool(ok), "count": n})

    r = job["render"]
    vt = QgsVectorTileLayer("type=xyz&url=%s&zmin=0&zmax=12" % r["tiles"], "durand")
    report["vector_tiles_valid"] = vt.isValid()
    with urllib.request.urlopen(r["style"]) as resp:
        style = json.load(resp)
    conv = QgsMapBoxGlStyleConverter()
    conv.convert(style)
    report["style_warnings"] = conv.warnings()
    vt.setRenderer(conv.renderer())
    vt.setLabeling(conv.labeling())
    settings = QgsMapSettings()
    settings.setLayers([vt])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setOutputSize(QSize(r["width"], r["height"]))
    settings.setExtent(QgsRectangle(*r["extent"]))
    renderer = QgsMapRendererParallelJob(settings)
    renderer.start()
    renderer.waitForFinished()
    renderer.renderedImage().save(r["out"], "PNG")
    e = settings.visibleExtent()
    report["visible_extent"] = [e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum()]
    report["render_errors"] = [str(x.message) for x in renderer.errors()]
finally:
    json.dump(report, sys.stdout)
    sys.stdout.flush()
    # PyQGIS 3.22 can crash while Python tears down layers after
    # exitQgis; the report is out, so leave at once.
    app.exitQgis()
    os._exit(0)
