"""``transkript eval DIR`` prints the shared scorer's figures per conversation and on average."""
import json
import shutil
import subprocess
import sys

from conftest import EVAL, ROOT, conversation_ids


def _run(*args):
    return subprocess.run([sys.executable, "-m", "transkript_kernel", *args], capture_output=True, text=True,
                          cwd=ROOT)


def test_eval_on_the_shared_folder_prints_a_table_with_the_mean():
    out = _run("eval", str(EVAL))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    header = lines[0].split()
    for column in ("action_recall", "action_precision", "owner_accuracy", "concern_recall", "topic_recall",
                   "mean_action_words"):
        assert column in header
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert set(conversation_ids()) | {"mean"} == set(rows)
    recall = [float(rows[c][header.index("action_recall")]) for c in conversation_ids()]
    assert abs(float(rows["mean"][header.index("action_recall")]) - sum(recall) / len(recall)) < 1e-3


def test_eval_figures_equal_the_scorer_run_by_hand(tmp_path):
    """Same numbers as `score.py reftranscript` + `transkript summarize` + `score.py summary`."""
    conv = conversation_ids()[1]
    folder = tmp_path / "one"
    (folder / "conversations").mkdir(parents=True)
    (folder / "audio").mkdir()
    shutil.copy(EVAL / "conversations" / f"{conv}.json", folder / "conversations")
    shutil.copy(EVAL / "audio" / f"{conv}.ref.json", folder / "audio")
    shutil.copy(EVAL / "score.py", folder)
    csv = tmp_path / "table.csv"
    out = _run("eval", str(folder), "--csv", str(csv))
    assert out.returncode == 0, out.stderr
    transcript = tmp_path / "t.json"
    subprocess.run([sys.executable, str(EVAL / "score.py"), "reftranscript", str(EVAL / "audio" / f"{conv}.ref.json"),
                    str(EVAL / "conversations" / f"{conv}.json"), str(transcript)], check=True)
    summary = tmp_path / "s.json"
    assert _run("summarize", str(transcript), "-o", str(summary)).returncode == 0
    by_hand = json.loads(subprocess.run([sys.executable, str(EVAL / "score.py"), "summary", str(summary),
                                         str(EVAL / "conversations" / f"{conv}.json")],
                                        capture_output=True, text=True, check=True).stdout)
    import pandas as pd

    table = pd.read_csv(csv, index_col=0)
    for key in ("action_recall", "action_precision", "owner_accuracy", "concern_recall", "topic_recall"):
        assert table.loc[conv, key] == by_hand[key]


def test_eval_on_a_folder_without_audio_uses_the_turns(tmp_path):
    folder = tmp_path / "turns"
    (folder / "conversations").mkdir(parents=True)
    shutil.copy(EVAL / "conversations" / f"{conversation_ids()[0]}.json", folder / "conversations")
    out = _run("eval", str(folder), "--scorer", str(EVAL))
    assert out.returncode == 0, out.stderr
    assert conversation_ids()[0] in out.stdout and "mean" in out.stdout


def test_eval_on_a_wrong_folder_says_so_in_both_languages(tmp_path):
    out = _run("eval", str(tmp_path))
    assert out.returncode == 2
    assert "fout / error" in out.stderr and "conversations" in out.stderr


def test_promptlab_compares_variants_and_saves_the_winner(tmp_path, isolated_data):
    import json as _json

    from transkript_kernel import promptlab
    from transkript_kernel.settings import load_config

    folder = tmp_path / "two"
    (folder / "conversations").mkdir(parents=True)
    (folder / "audio").mkdir()
    for conv in conversation_ids()[:2]:
        shutil.copy(EVAL / "conversations" / f"{conv}.json", folder / "conversations")
        shutil.copy(EVAL / "audio" / f"{conv}.ref.json", folder / "audio")

    def silent_model(prompt):  # a 'model' that answers valid JSON with nothing in it
        return _json.dumps({"topics": [], "concerns": [], "actions": []})

    table = promptlab.run(folder, {"extractive": {}, "empty-model": {"backend": "transformers",
                                                                      "generate": silent_model}},
                          scorer_dir=EVAL)
    assert set(table["variant"]) == {"extractive", "empty-model"} and len(table) == 4
    means = promptlab.compare(table)
    assert means.index[0] == "extractive" and means.loc["empty-model", "action_recall"] == 0
    assert promptlab.winner(table) == "extractive"
    fig = promptlab.plot(table)
    fig.savefig(tmp_path / "plot.png")
    assert (tmp_path / "plot.png").stat().st_size > 1000
    builtin = [p for p in promptlab.templates() if p.name == "summary_nl.j2"][0]
    saved = promptlab.save_template(builtin, "mijn beste prompt")
    assert saved.parent == isolated_data / "prompts" and saved.read_text() == builtin.read_text()
    assert load_config()["LlmSettings"]["template"] == str(saved)
    assert saved in promptlab.templates()


def test_prompt_lab_notebook_runs(tmp_path):
    import papermill

    out = tmp_path / "lab.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "prompt_lab.ipynb"), str(out),
                               parameters={"EVAL_DIR": str(EVAL)}, cwd=str(ROOT / "notebooks"),
                               progress_bar=False, kernel_name="python3")
    text = out.read_text()
    assert "winnaar / winner: extractive" in text and "image/png" in text
