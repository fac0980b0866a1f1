"""A class's own images in Chromium: upload a zip of coloured shapes, train a VAE on them, drag a slider."""

from __future__ import annotations

import re

from conftest import settle, wait_for_app_run
from playwright.sync_api import expect
from test_browser import goto
from test_interactive import decodes, drag, start_training

from aeviz.bench.synthetic import shapes_zip


def test_upload_a_zip_train_a_colour_vae_and_drag_its_slider(app):
    goto(app, "data")
    settle(app, lambda: app.get_by_text("Colour", exact=True).click())
    app.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "shapes.zip", "mimeType": "application/zip", "buffer": shapes_zip(per_class=30)}]
    )
    wait_for_app_run(app)
    app.get_by_role("button", name="Read the images").click()
    expect(app.get_by_text("90 images, colour 32×32, 3 classes")).to_be_visible(timeout=60000)
    settle(app, lambda: app.get_by_role("button", name="Use these images").click())
    expect(app.get_by_role("combobox", name="Dataset")).to_have_value(re.compile("shapes.*yours"))

    goto(app, "train")
    start_training(app, "Lecture 001 · VAE, 2-D latent, β = 1", epochs=20, dataset=re.compile("shapes"))
    expect(app.get_by_text("#1 vae, code 2").first).to_be_visible(timeout=120000)

    goto(app, "vae")
    canvas = app.get_by_test_id("aez-canvas").first
    expect(canvas).to_have_attribute("data-decodes", re.compile(r"\d+"), timeout=15000)
    before = decodes(app)
    drag(app, app.locator("input[type='range'][aria-label^='z1 ']").first, 120, steps=20)
    assert decodes(app) >= before + 10, "decoded in the browser while dragging"
    # the decoded picture is in colour: some pixel's red and blue differ
    colourful = canvas.evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[i + 2]) > 30) n++; return n; }"""
    )
    assert canvas.evaluate("c => c.width") == 32 and colourful > 20
