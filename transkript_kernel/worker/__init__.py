"""One queue and one worker process per data folder: a parent evening processed while the teacher goes on.

Three processes, each with one job (the noScribe pattern: heavy work in a child the UI survives):

- the app's kernels (one per open tab) only read and edit the queue (:mod:`.jobqueue`, ``wachtrij.json`` in the
  data folder): add a conversation, reorder, ask to stop, try again. Every tab reads the same file, so every tab
  shows the same queue, and a page reload or an app restart loses nothing.
- the service (:mod:`.service`, started by ``transkript app``) holds ``wachtrij.lock`` (so a second app on the
  same folder starts no second worker), takes the next waiting job, hands it to the worker and writes what comes
  back into the queue. Stop = kill the worker; a dead worker (segfault, out of memory) = the job is marked
  ``fout`` with a clear message. In both cases the case file's repair cleans up and a fresh worker starts.
- the worker (:mod:`.process`, a ``multiprocessing`` *spawn* child of the service) keeps the speech model, the
  speaker model and the summariser warm and runs :func:`transkript_kernel.pipeline.process_conversation`.

The message protocol between service and worker is :mod:`.protocol`: ``Run`` and ``Shutdown`` go to the worker;
``Ready``, ``Progress``, ``Result`` and ``Error`` come back. All are small picklable dataclasses holding ids,
stages, numbers and the engine's two-language error text — never a transcript.
"""
