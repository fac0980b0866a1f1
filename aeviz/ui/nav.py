"""The app's pages, in the order the navigation lists them: one list for the app, the share links,
the Lecture map and the tests."""

from pathlib import Path

PAGES = Path(__file__).parent / "pages"
# (file, title, icon, url path)
PAGE_LIST = [
    ("overview.py", "Overview", ":material/home:", "overview"),
    ("reconstructions.py", "Reconstructions", ":material/compare:", "reconstructions"),
    ("filters.py", "Learned filters", ":material/grid_view:", "filters"),
    ("latent.py", "Latent space", ":material/scatter_plot:", "latent"),
    ("vae.py", "VAE explorer", ":material/tune:", "vae"),
    ("upload.py", "Upload & draw", ":material/draw:", "upload"),
    ("denoise.py", "Denoise", ":material/blur_off:", "denoise"),
    ("train.py", "Train your own", ":material/model_training:", "train"),
    ("data.py", "Your images", ":material/photo_library:", "data"),
    ("classroom.py", "Class", ":material/groups:", "class"),
    ("board.py", "Class board", ":material/dashboard:", "board"),
    ("lessons/index.py", "Lessons", ":material/school:", "lessons"),
    ("lectures.py", "Lecture map", ":material/map:", "lectures"),
]
