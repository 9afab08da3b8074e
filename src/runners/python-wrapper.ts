/**
 * The Python side of the python-script runner, run as `python3 -c <source>` so that it travels inside
 * any bundle (no file to locate at run time). It reads `{ entry_point, parameters, config, log_level,
 * pack, action, execution_id }` as JSON on stdin, provides st2's `st2common.runners.base_action.Action`
 * (and the legacy `st2actions.runners.pythonrunner.Action`) as in-memory modules, loads the entry point,
 * instantiates its Action subclass, calls `run(**parameters)` and prints
 * `{"result": ..., "status": true|false|null[, "error": traceback]}` between st2's delimiter lines.
 */
export const PYTHON_WRAPPER_SOURCE = String.raw`
import importlib.util
import inspect
import json
import logging
import os
import sys
import traceback
import types

DELIMITER = '%%%%%~=~=~=************=~=~=~%%%%\n'


class ActionService(object):
    """Minimal stand-in for st2's action service: an in-memory datastore for this run only."""

    def __init__(self):
        self._values = {}

    def get_value(self, name, local=True, scope=None, decrypt=False):
        return self._values.get(name)

    def set_value(self, name, value, ttl=None, local=True, scope=None, encrypt=False):
        self._values[name] = value
        return True

    def delete_value(self, name, local=True, scope=None):
        return self._values.pop(name, None) is not None

    def list_values(self, local=True, prefix=None):
        return [k for k in self._values if prefix is None or k.startswith(prefix)]


class Action(object):
    """st2's base class of Python actions."""

    def __init__(self, config=None, action_service=None):
        self.config = config if config is not None else {}
        self.action_service = action_service if action_service is not None else ActionService()
        self.logger = logging.getLogger('actions.python.' + type(self).__name__)

    def run(self, **kwargs):
        raise NotImplementedError('run() is not implemented')


def install_shim():
    for name in ('st2common', 'st2common.runners', 'st2common.runners.base_action',
                 'st2actions', 'st2actions.runners', 'st2actions.runners.pythonrunner'):
        module = types.ModuleType(name)
        module.__path__ = []
        sys.modules[name] = module
    for name in ('st2common.runners.base_action', 'st2actions.runners.pythonrunner'):
        sys.modules[name].Action = Action
    sys.modules['st2common'].runners = sys.modules['st2common.runners']
    sys.modules['st2common.runners'].base_action = sys.modules['st2common.runners.base_action']
    sys.modules['st2actions'].runners = sys.modules['st2actions.runners']
    sys.modules['st2actions.runners'].pythonrunner = sys.modules['st2actions.runners.pythonrunner']


def emit(block):
    try:
        text = json.dumps(block, default=str)
    except Exception:
        text = json.dumps({'result': str(block.get('result')), 'status': block.get('status')})
    sys.stdout.flush()
    sys.stdout.write(DELIMITER + text + '\n' + DELIMITER)
    sys.stdout.flush()


def load_action_class(path):
    directory = os.path.dirname(path)
    sys.path.insert(0, os.path.join(directory, 'lib'))
    sys.path.insert(0, directory)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError('cannot load %s: not a Python module' % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    candidates = [c for c in vars(module).values()
                  if inspect.isclass(c) and issubclass(c, Action) and c is not Action]
    own = [c for c in candidates if c.__module__ == module.__name__]
    classes = own or candidates
    if len(classes) != 1:
        raise ValueError('%s must define exactly one subclass of st2common.runners.base_action.Action, found %d'
                         % (path, len(classes)))
    return classes[0]


def main():
    payload = json.loads(sys.stdin.read() or '{}')
    level = str(payload.get('log_level') or 'DEBUG').upper()
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, level, logging.DEBUG),
                        format='%(asctime)s %(levelname)s [-] %(message)s')
    install_shim()
    try:
        cls = load_action_class(payload['entry_point'])
        config = payload.get('config') or {}
        if 'action_service' in inspect.signature(cls.__init__).parameters:
            instance = cls(config=config, action_service=ActionService())
        else:
            instance = cls(config)
        output = instance.run(**(payload.get('parameters') or {}))
    except Exception:
        text = traceback.format_exc()
        sys.stderr.write(text)
        sys.stderr.flush()
        emit({'result': None, 'status': False, 'error': text})
        sys.exit(1)
    status = None
    result = output
    if isinstance(output, tuple) and len(output) == 2 and isinstance(output[0], bool):
        status, result = output
    emit({'result': result, 'status': status})


main()
`;
