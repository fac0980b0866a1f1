"""The UI's one state module, as pages see it (`from aeviz.ui import state`): the session's keys
(`keys`), what lasts (`kept`), the server-wide caches (`shared`), what a session holds
(`session`) and its project file (`project`). Each part imports only those before it, in that order.

Pretrained models and test sets are loaded once per server and shared read-only. What a student
trains or uploads is theirs: it lives in their session, and is kept in the store (aeviz.store) under
their resume token, so a reload, another replica or a restart brings it back (`sync`). Writes go
through one keeper thread, never a page's.
"""

from aeviz.ui.state.kept import *  # noqa: F403
from aeviz.ui.state.keys import *  # noqa: F403
from aeviz.ui.state.project import *  # noqa: F403
from aeviz.ui.state.session import *  # noqa: F403
from aeviz.ui.state.shared import *  # noqa: F403
